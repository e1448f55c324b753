/**
 * Checks Istio and Kubernetes objects the way the cluster would (Istio's validation webhook for
 * networking.istio.io objects, the Gateway API CRDs' schemas and rules for gateway.networking.k8s.io,
 * the CRD schemas' refusal of unknown fields, the API server's required
 * fields), before anything is applied. Returns every issue with file, line and field; an empty list
 * means valid.
 */
import type { InputIssue } from '../../core/errors.js';
import type { KubeObject, LoadedObject } from '../../kube/manifest.js';
import { Issues, isDnsLabel, isDnsSubdomain } from './validate-common.js';
import { objectLimitIssues } from '../../kube/limits.js';
import { validateVirtualService } from './validate-virtual-service.js';
import { validateDestinationRule } from './validate-destination-rule.js';
import { validateGateway } from './validate-gateway.js';
import { validateDeployment, validateNamespace, validateService } from './validate-kube.js';
import { validateHTTPRoute } from './validate-httproute.js';
import { validateKubeGateway } from './validate-gateway-api.js';

type KindCheck = (issues: Issues, o: KubeObject) => void;

const ISTIO: Record<string, KindCheck> = {
  VirtualService: (issues, o) => validateVirtualService(issues, o.spec, o.metadata.namespace ?? 'default'),
  DestinationRule: (issues, o) => validateDestinationRule(issues, o.spec, o.metadata.namespace ?? 'default'),
  Gateway: (issues, o) => validateGateway(issues, o.spec),
};

const none: KindCheck = () => {};

/** The Gateway API's standard channel: the Gateway and the HTTPRoute (v1beta1 is served with the same schema). */
const GATEWAY_API: Record<string, KindCheck> = {
  Gateway: (issues, o) => validateKubeGateway(issues, o.spec),
  HTTPRoute: (issues, o) => validateHTTPRoute(issues, o.spec),
};
/**
 * Kinds users' manifests hold beside the routing ones. meshproof applies them as they are (on a
 * cluster Istio's webhook checks them); the local mesh stores them and says it does not act on them.
 */
const ISTIO_STORED: Record<string, KindCheck> = { ServiceEntry: none, Sidecar: none, WorkloadEntry: none };
const ISTIO_SECURITY: Record<string, KindCheck> = {
  PeerAuthentication: none,
  AuthorizationPolicy: none,
  RequestAuthentication: none,
};

/** Kinds by apiVersion. Istio still serves v1beta1 and v1alpha3 beside v1, with the same schema. */
const KNOWN: Record<string, Record<string, KindCheck>> = {
  v1: { Service: validateService, ServiceAccount: none, Namespace: validateNamespace, ConfigMap: none },
  'apps/v1': { Deployment: validateDeployment },
  'networking.istio.io/v1': { ...ISTIO, ...ISTIO_STORED },
  'networking.istio.io/v1beta1': { ...ISTIO, ...ISTIO_STORED },
  'networking.istio.io/v1alpha3': { ...ISTIO, ...ISTIO_STORED },
  'security.istio.io/v1': ISTIO_SECURITY,
  'security.istio.io/v1beta1': ISTIO_SECURITY,
  'gateway.networking.k8s.io/v1': GATEWAY_API,
  'gateway.networking.k8s.io/v1beta1': GATEWAY_API,
};

/** Every kind meshproof applies, by apiVersion: anything else is refused (plan/fence.ts relies on how few they are). */
export function admittedKinds(): { apiVersion: string; kind: string }[] {
  return Object.entries(KNOWN).flatMap(([apiVersion, kinds]) =>
    Object.keys(kinds).map((kind) => ({ apiVersion, kind })),
  );
}

export function validateObject(loaded: LoadedObject): InputIssue[] {
  const { object: o } = loaded;
  const issues = new Issues(loaded);
  const kinds = KNOWN[o.apiVersion];
  if (!kinds) {
    issues.add(
      ['apiVersion'],
      `unknown apiVersion "${o.apiVersion}" (meshproof applies ${Object.keys(KNOWN).join(', ')})`,
    );
    return issues.list;
  }
  for (const l of objectLimitIssues(o)) issues.add(l.path, l.message);
  const check = kinds[o.kind];
  if (!check) {
    issues.add(['kind'], `unknown kind "${o.kind}" for ${o.apiVersion} (known: ${Object.keys(kinds).join(', ')})`);
    return issues.list;
  }
  if (!isDnsSubdomain(o.metadata.name)) {
    issues.add(['metadata', 'name'], `name "${o.metadata.name}" is invalid (lowercase letters, digits, - and .)`);
  }
  const ns = o.metadata.namespace;
  if (ns !== undefined && !(typeof ns === 'string' && isDnsLabel(ns))) {
    issues.add(['metadata', 'namespace'], `namespace ${JSON.stringify(ns)} is invalid`);
  }
  check(issues, o);
  return issues.list;
}

/** The API group of an apiVersion: objects in v1 and v1beta1 of one group are the same resource. */
function group(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Validates every object of one manifest file, and reports an object that repeats the kind, name
 * and namespace of an earlier one: applying the file would silently keep only the last.
 */
export function validateObjects(objects: LoadedObject[]): InputIssue[] {
  const issues = objects.flatMap(validateObject);
  const seen = new Map<string, LoadedObject>();
  for (const loaded of objects) {
    const { kind, apiVersion, metadata } = loaded.object;
    const key = `${group(apiVersion)}/${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, loaded);
      continue;
    }
    const where =
      first.source.file === loaded.source.file
        ? `line ${first.source.line}`
        : `${first.source.file}:${first.source.line}`;
    const ns = metadata.namespace ? ` in namespace ${metadata.namespace}` : '';
    issues.push({
      file: loaded.source.file,
      line: loaded.source.lineOf(['metadata', 'name']),
      field: 'metadata.name',
      message: `duplicate ${kind} "${metadata.name}"${ns}: already defined at ${where}`,
    });
  }
  return issues;
}
