/**
 * The split a canary controller means to be in place, read from the objects it writes (README, "Argo Rollouts and
 * Flagger"): an Argo Rollout's status, or the weights Flagger wrote into its Canary's VirtualService. Both speak of
 * a stable and a canary side; which version each side serves is the caller's to say (`--stable-version v1
 * --canary-version v3`), since the answers name versions, not sides, and reading the pods' labels would need more
 * than read access to the controllers' objects.
 */
import type { KubeObject } from '../kube/manifest.js';

export interface SideVersions {
  stable: string;
  canary: string;
}

/** Percent by side, and where it was read (for messages and the serve log). */
export interface SideWeights {
  stable: number;
  canary: number;
  from: string;
}

/**
 * An Argo Rollout's weights: `status.canary.weights` where its traffic router wrote them, else the last `setWeight`
 * at or before the current step (a Rollout without traffic routing, or one not yet reconciled). A Rollout past its
 * last step is fully promoted: all traffic on the (new) stable side.
 */
export function rolloutWeights(rollout: KubeObject): SideWeights | { problem: string } {
  const ref = `Rollout ${rollout.metadata.namespace}/${rollout.metadata.name}`;
  const status = (rollout as { status?: any }).status ?? {};
  const weights = status.canary?.weights;
  if (typeof weights?.canary?.weight === 'number') {
    const canary = weights.canary.weight as number;
    const stable = typeof weights.stable?.weight === 'number' ? (weights.stable.weight as number) : 100 - canary;
    return { stable, canary, from: `${ref} status.canary.weights` };
  }
  const steps: any[] = (rollout as { spec?: any }).spec?.strategy?.canary?.steps ?? [];
  if (!Array.isArray(steps) || !(rollout as { spec?: any }).spec?.strategy?.canary)
    return { problem: `${ref} has no canary strategy: no split to verify` };
  const index = typeof status.currentStepIndex === 'number' ? (status.currentStepIndex as number) : 0;
  if (index >= steps.length) return { stable: 100, canary: 0, from: `${ref} past its last step (promoted)` };
  let canary = 0;
  for (const [i, s] of steps.entries()) if (i <= index && typeof s?.setWeight === 'number') canary = s.setWeight;
  return { stable: 100 - canary, canary, from: `${ref} spec.strategy.canary.steps[${index}] (last setWeight)` };
}

/**
 * The VirtualService Flagger routes a Canary through: named after `spec.service.name` (else the Canary), in its
 * namespace.
 */
export function canaryRouteName(canary: KubeObject): string {
  const name = (canary as { spec?: any }).spec?.service?.name;
  return typeof name === 'string' && name ? name : canary.metadata.name;
}

/**
 * The weights Flagger wrote: the first http route with a destination on `<service>-primary` (stable) or
 * `<service>-canary` (canary). Flagger writes the same weights in every route it manages, so the first speaks for
 * them; a route with neither side is not Flagger's.
 */
export function canaryWeights(vs: KubeObject, service: string): SideWeights | { problem: string } {
  const ref = `VirtualService ${vs.metadata.namespace}/${vs.metadata.name}`;
  const http: any[] = (vs as { spec?: any }).spec?.http ?? [];
  for (const [i, route] of http.entries()) {
    let stable: number | undefined;
    let canary: number | undefined;
    for (const d of route?.route ?? []) {
      const host = String(d?.destination?.host ?? '').split('.')[0];
      const weight = typeof d?.weight === 'number' ? (d.weight as number) : route.route.length === 1 ? 100 : 0;
      if (host === `${service}-primary`) stable = (stable ?? 0) + weight;
      if (host === `${service}-canary`) canary = (canary ?? 0) + weight;
    }
    if (stable !== undefined || canary !== undefined)
      return { stable: stable ?? 0, canary: canary ?? 0, from: `${ref} spec.http[${i}]` };
  }
  return { problem: `${ref} routes to neither ${service}-primary nor ${service}-canary: not one Flagger manages` };
}

/** The split by version: each side's weight on the version it serves; a side at 0 % left out. */
export function versionSplit(
  w: SideWeights,
  versions: SideVersions,
): { split: Record<string, number> } | { problem: string } {
  if (w.stable + w.canary !== 100) return { problem: `${w.from}: stable ${w.stable} + canary ${w.canary} is not 100` };
  if (versions.stable === versions.canary)
    return w.canary === 0 || w.stable === 0
      ? { split: { [versions.stable]: 100 } }
      : { problem: `stable and canary are both ${versions.stable}: a split between them cannot be told apart` };
  const split: Record<string, number> = {};
  if (w.stable > 0) split[versions.stable] = w.stable;
  if (w.canary > 0) split[versions.canary] = w.canary;
  return { split };
}
