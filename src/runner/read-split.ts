/**
 * Reads the split a canary controller means to be in place from the cluster, through the target's own client
 * (Target.get): an Argo Rollout, or a Flagger Canary and then its VirtualService. An object that cannot be read says
 * so with the API server's status, so `meshproof verify` can exit with the right code and `meshproof serve` answer
 * 403 or 404; nothing is read beyond these objects.
 */
import { EnvironmentError, InputError } from '../core/errors.js';
import type { KubeObject } from '../kube/manifest.js';
import { KubeApiError } from '../kube/api-error.js';
import type { ObjectKey, Target } from '../targets/target.js';
import {
  canaryRouteName,
  canaryWeights,
  rolloutWeights,
  versionSplit,
  type SideVersions,
  type SideWeights,
} from './controller-splits.js';

export interface SplitSource {
  kind: 'rollout' | 'canary';
  namespace: string;
  name: string;
  versions: SideVersions;
}

export interface ControllerSplit {
  split: Record<string, number>;
  /** Where the weights were read: `Rollout default/reviews status.canary.weights`. */
  from: string;
  /** The object the weights came from, as uid@generation: a verdict is cached per this and the split. */
  revision: string;
}

/** The object is not there (404) or holds no split meshproof can check (422): bad input, exit 2. */
export class SplitInputError extends InputError {
  constructor(
    where: string,
    message: string,
    readonly status: 404 | 422,
    options?: { cause?: unknown },
  ) {
    super([{ file: where, message }], options);
  }
}

/** The API server forbids reading the object (403): the environment's, exit 3, since the name may be right. */
export class SplitForbiddenError extends EnvironmentError {
  readonly status = 403;
}

export type ControllerSplitError = SplitInputError | SplitForbiddenError;

export function isControllerSplitError(err: unknown): err is ControllerSplitError {
  return err instanceof SplitInputError || err instanceof SplitForbiddenError;
}

const ROLLOUT = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' } as const;
const CANARY = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary' } as const;
const VIRTUAL_SERVICE = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' } as const;

export async function readControllerSplit(target: Pick<Target, 'get'>, src: SplitSource): Promise<ControllerSplit> {
  const at = { namespace: src.namespace, name: src.name };
  if (src.kind === 'rollout') {
    const rollout = await readObject(target, { ...ROLLOUT, ...at });
    return toSplit(rolloutWeights(rollout), src.versions, rollout);
  }
  const canary = await readObject(target, { ...CANARY, ...at });
  const service = canaryRouteName(canary);
  const vs = await readObject(target, { ...VIRTUAL_SERVICE, namespace: src.namespace, name: service });
  return toSplit(canaryWeights(vs, service), src.versions, vs);
}

function toSplit(w: SideWeights | { problem: string }, versions: SideVersions, from: KubeObject): ControllerSplit {
  if ('problem' in w) throw new SplitInputError('<cluster>', w.problem, 422);
  const v = versionSplit(w, versions);
  if ('problem' in v) throw new SplitInputError('<cluster>', v.problem, 422);
  const m = from.metadata;
  return {
    split: v.split,
    from: w.from,
    revision: `${String(m.uid ?? m.name)}@${String(m.generation ?? m.resourceVersion ?? 0)}`,
  };
}

async function readObject(target: Pick<Target, 'get'>, key: ObjectKey): Promise<KubeObject> {
  const ref = `${key.kind} ${key.namespace}/${key.name}`;
  let obj: KubeObject | null;
  try {
    obj = await target.get(key);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 403)
      throw new SplitForbiddenError(`may not read ${ref}: the API server answered 403 Forbidden`, { cause: err });
    if (err instanceof KubeApiError && err.status === 404)
      throw new SplitInputError(ref, 'not found (is its CRD installed?)', 404, { cause: err });
    throw err;
  }
  if (!obj) throw new SplitInputError(ref, 'not found', 404);
  return obj;
}
