/**
 * Lint for `versions`: each version an expectation names must be something the plan's manifests
 * define — a DestinationRule subset, a Deployment's `version` label or a Service. Checked where the
 * manifests can tell: a version read the echo stand-in's way (header x-version, the pod's `version`
 * label) once they define any Deployment or DestinationRule; a version read from a header, JSON or
 * text of the app's own once they deploy the workloads themselves (any Deployment), since otherwise
 * it is the word of an app no manifest here describes (`1.4.2` from a real app's /version). A step's
 * per-version gates likewise name a version its expectations list or the manifests name.
 */
import type { InputIssue } from '../core/errors.js';
import type { LoadedObject } from '../kube/manifest.js';
import { ECHO_VERSION_HEADER } from '../model/version-from.js';
import type { ParsedStep } from './parse-plan.js';
import { planField, type YamlSource } from './yaml-source.js';

export interface KnownVersions {
  /** Every name found; empty when the manifests define no Deployment and no DestinationRule (nothing to tell by). */
  names: Set<string>;
  /** Whether the manifests say anything: some Deployment or DestinationRule. */
  canTell: boolean;
  /** Whether they deploy workloads (some Deployment). */
  deploys: boolean;
}

export function knownVersions(objects: readonly LoadedObject[]): KnownVersions {
  const names = new Set<string>();
  let canTell = false;
  let deploys = false;
  for (const { object: o } of objects) {
    if (o.kind === 'DestinationRule' && o.apiVersion.startsWith('networking.istio.io/')) {
      canTell = true;
      for (const s of Array.isArray(o.spec?.subsets) ? o.spec.subsets : [])
        if (typeof s?.name === 'string') names.add(s.name);
    } else if (o.kind === 'Deployment') {
      canTell = deploys = true;
      const v = o.spec?.template?.metadata?.labels?.version;
      if (typeof v === 'string') names.add(v);
    } else if (o.kind === 'Service' && o.apiVersion === 'v1') {
      names.add(o.metadata.name);
    }
  }
  return { names, canTell, deploys };
}

export function versionNameIssues(step: ParsedStep, known: KnownVersions, source: YamlSource): InputIssue[] {
  if (!known.canTell) return [];
  const issues: InputIssue[] = [];
  (step.raw.expect ?? []).forEach((e, i) => {
    if (!e.versions) return;
    const from = e.versionFrom;
    const echoWay = !from || ('header' in from && from.header === ECHO_VERSION_HEADER);
    if (!echoWay && !known.deploys) return;
    for (const v of Object.keys(e.versions)) {
      if (known.names.has(v)) continue;
      const path = [...step.prefix, 'expect', i, 'versions', v];
      const list = [...known.names].sort().join(', ') || 'none';
      issues.push({
        file: source.file,
        line: source.lineOf(path),
        field: planField(path),
        message:
          `version "${v}" is no DestinationRule subset, Deployment version label or Service ` +
          `in this plan's manifests (they name: ${list})`,
      });
    }
  });
  // A per-version gate of a step with versions: a version its expectations list, or one the manifests name.
  const listed = new Set((step.raw.expect ?? []).flatMap((e) => Object.keys(e.versions ?? {})));
  if (!listed.size) return issues;
  for (const v of Object.keys(step.raw.gates?.byVersion ?? {})) {
    if (listed.has(v) || known.names.has(v)) continue;
    const path = [...step.prefix, 'gates', 'byVersion', v];
    issues.push({
      file: source.file,
      line: source.lineOf(path),
      field: planField(path),
      message:
        `byVersion names "${v}", which no expectation of this step lists in versions ` +
        `and no DestinationRule subset, Deployment version label or Service names`,
    });
  }
  return issues;
}
