/**
 * Where a run leaves the routes when no rollback restores them: the last step that applied any,
 * and what its routes say, as executeStep worked them out (`intended`, by step name).
 */
import type { KubeObject } from '../kube/manifest.js';
import type { StepResult } from '../model/results.js';
import { routesLeftBy } from '../report/messages.js';
import { summarizeIntent } from './settle.js';

export function routesLeft(steps: StepResult[], intended: ReadonlyMap<string, string[]>): string {
  const last = [...steps].reverse().find((s) => s.applied.length);
  return routesLeftBy(last?.name, last ? (intended.get(last.name) ?? []) : []);
}

/** `reviews: v1 75%, v3 25%` for each route a step leaves in place, as its layers word them. */
export function routeSummaries(routes: readonly KubeObject[]): string[] {
  return routes.map((vs) =>
    summarizeIntent(
      vs,
      undefined,
      ((vs.spec?.gateways ?? []) as string[]).some((g) => g !== 'mesh'),
    ),
  );
}
