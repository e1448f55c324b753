/**
 * The namespace fence (plans/README.md): a traffic plan writes to its own namespace only, and no
 * pod it makes reaches its node. An object in another namespace (a Namespace object counts as the
 * namespace it makes) or with host access is refused at the field that crosses the fence, before
 * anything is applied, unless the plan's `allowNamespaces` lists that namespace. What
 * allowNamespaces lets through is kept for the reports; host access it lets through is a lint
 * warning all the same.
 *
 * Kinds need no fence of their own: validate.ts admits only the kinds a traffic plan needs (Istio's
 * routing and security kinds, the Gateway API's Gateway and HTTPRoute, Services, ServiceAccounts,
 * ConfigMaps, Deployments, Namespaces), and of these only Namespace is cluster-scoped
 * (fence.test.ts holds that true).
 */
import type { InputIssue, SourceLocation } from '../core/errors.js';
import { objectRef, type KubeObject, type LoadedObject } from '../kube/manifest.js';
import type { BeyondFence } from '../model/results.js';
import { planField, type PlanPath } from './yaml-source.js';

/** Namespaces the cluster and the mesh run in (`kube-*`, `istio-*`): never a plan's own unless allowed. */
export function isSystemNamespace(namespace: string): boolean {
  return /^(kube|istio)-/.test(namespace);
}

/** What a namespace is, where that says why writing there reaches further than the plan. */
const WHAT_IT_IS: Readonly<Record<string, string>> = {
  'kube-system': "the cluster's own components run there",
  'istio-system': "Istio's root namespace: what is written there applies to the whole mesh",
};

export interface FenceResult {
  /** Objects the fence refuses: bad input. */
  issues: InputIssue[];
  /** Objects allowNamespaces let through, in the order the plan names their files. */
  beyond: BeyondFence[];
  /** Host access allowNamespaces let through, and entries of it that nothing needs: lint warnings. */
  warnings: InputIssue[];
}

/** A way across the fence one object takes, at the field that takes it. */
interface Crossing {
  /** The short fact the reports list: `in kube-system`, `namespace shop`, `hostPID`, `hostPath /`. */
  fact: string;
  path: (string | number)[];
  /** Why the fence stops it, for the message. */
  why: string;
  /** Access to the node: a lint warning even where allowNamespaces lets it through. */
  host?: true;
}

/**
 * Checks the plan's own namespace and every object its manifests hold. `namespace` is the plan's;
 * `allow` its allowNamespaces; `planAt` locates a field of the plan file.
 */
export function checkFence(
  objects: readonly LoadedObject[],
  namespace: string,
  allow: readonly string[],
  planAt: (path: PlanPath) => SourceLocation,
): FenceResult {
  const allowed = new Set(allow);
  const used = new Set<string>();
  const out: FenceResult = { issues: [], beyond: [], warnings: [] };
  if (isSystemNamespace(namespace)) {
    if (allowed.has(namespace)) used.add(namespace);
    else
      out.issues.push({
        ...planAt(['namespace']),
        message:
          `namespace ${namespace} is a system namespace${aside(namespace)}: ` +
          "a plan's own namespace is not one, unless its allowNamespaces lists it",
      });
  }
  for (const { object, source } of objects) {
    const ref = objectRef(object, namespace);
    const scope = namespaceOf(object, namespace);
    const crossings = [...placeCrossing(object, scope, namespace), ...hostAccess(object)];
    if (!crossings.length) continue;
    const at = (c: Crossing) => ({ file: source.file, line: source.lineOf(c.path), field: planField(c.path) });
    if (!allowed.has(scope)) {
      const allowIt = `list ${scope} in the plan's allowNamespaces to allow it`;
      for (const c of crossings) out.issues.push({ ...at(c), message: `${ref}: ${c.why} — ${allowIt}` });
      continue;
    }
    used.add(scope);
    const crosses = crossings.map((c) => c.fact);
    out.beyond.push({ ref, file: source.file, line: source.line, allowedBy: scope, crosses });
    for (const c of crossings.filter((x) => x.host))
      out.warnings.push({ ...at(c), message: `${ref}: ${c.why}; allowed by allowNamespaces (${scope})` });
  }
  allow.forEach((entry, i) => {
    if (!used.has(entry))
      out.warnings.push({
        ...planAt(['allowNamespaces', i]),
        message: `allowNamespaces lists ${entry}, but nothing in this plan needs it: leave it out`,
      });
  });
  return out;
}

/** The namespace an object is written to; a Namespace object counts as the namespace it makes. */
function namespaceOf(o: KubeObject, planNamespace: string): string {
  if (o.kind === 'Namespace') return o.metadata.name;
  return o.metadata.namespace ?? planNamespace;
}

function placeCrossing(o: KubeObject, namespace: string, planNamespace: string): Crossing[] {
  if (namespace === planNamespace) return [];
  const path = o.kind === 'Namespace' ? ['metadata', 'name'] : ['metadata', 'namespace'];
  const fact = o.kind === 'Namespace' ? `namespace ${namespace}` : `in ${namespace}`;
  return [{ fact, path, why: `outside the plan's namespace ${planNamespace}${aside(namespace)}` }];
}

function aside(namespace: string): string {
  const what = WHAT_IT_IS[namespace];
  return what ? ` (${namespace}: ${what})` : '';
}

/** Where each kind that makes pods keeps their spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const HOST_NAMESPACES = {
  hostPID: "its pods would see and signal the node's processes",
  hostIPC: "its pods would share the node's IPC namespace",
  hostNetwork: "its pods would use the node's network stack",
} as const;

/** What in an object's pod spec reaches its node: host namespaces, privileged containers, hostPath volumes. */
function hostAccess(o: KubeObject): Crossing[] {
  const base = POD_SPEC_PATHS[o.kind];
  if (!base) return [];
  const spec = getIn(o, base);
  if (!isRecord(spec)) return [];
  const out: Crossing[] = [];
  const noNeed = 'a traffic plan needs no access to the node';
  for (const [field, what] of Object.entries(HOST_NAMESPACES))
    if (spec[field] === true)
      out.push({ fact: field, path: [...base, field], why: `${field}: ${what}; ${noNeed}`, host: true });
  for (const containers of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[containers];
    if (!Array.isArray(list)) continue;
    list.forEach((c: unknown, j) => {
      if (!isRecord(c) || !isRecord(c.securityContext) || c.securityContext.privileged !== true) return;
      const path = [...base, containers, j, 'securityContext', 'privileged'];
      const name = typeof c.name === 'string' ? ` ${c.name}` : '';
      out.push({
        fact: 'privileged',
        path,
        why: `container${name} is privileged: root on the node; ${noNeed}`,
        host: true,
      });
    });
  }
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  volumes.forEach((v: unknown, i) => {
    if (!isRecord(v) || !isRecord(v.hostPath)) return;
    const path = typeof v.hostPath.path === 'string' ? v.hostPath.path : '';
    out.push({
      fact: `hostPath ${path}`.trim(),
      path: [...base, 'volumes', i, 'hostPath'],
      why: `volume ${String(v.name ?? i)} mounts ${path || 'a path'} of the node (hostPath); ${noNeed}`,
      host: true,
    });
  });
  return out;
}

function getIn(o: unknown, path: readonly string[]): unknown {
  let x = o;
  for (const k of path) x = isRecord(x) ? x[k] : undefined;
  return x;
}

function isRecord(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
