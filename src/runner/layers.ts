/**
 * The four layers of a step side by side (docs/architecture.md, Settling and verification): what the plan intended,
 * what the cluster holds when read back, what the proxies hold, what traffic showed — and every disagreement named,
 * the class of bug where a controller's status says one thing and the data plane does another.
 */
import type { Step } from '../plan/types.js';
import type { ExpectationResult, Layers } from '../model/results.js';
import { describeWho } from '../report/format.js';
import type { RunContext } from './context.js';
import type { SettleResult } from './settle.js';
import { summarizeIntent } from './settle.js';
import type { StepIntent } from './step-intent.js';
import { withStepDelegates } from './effective-objects.js';
import { readBackRoute } from './read-back-route.js';
import {
  clusterDisagreement,
  proxiesDisagreement,
  routeStatusNote,
  SETTLED_FROM_TRAFFIC,
  trafficDisagreement,
  trafficSummary,
} from '../report/messages.js';

export async function buildLayers(
  ctx: RunContext,
  step: Step,
  intent: StepIntent,
  settled: SettleResult,
  expectations: ExpectationResult[],
): Promise<Layers> {
  const intended: Record<string, string> = {};
  const readBack: Record<string, string> = {};
  const disagreements: string[] = [];
  const status: Record<string, string[]> = {};
  for (const vs of intent.routes) {
    const gateway = (vs.spec?.gateways ?? []).some((g: string) => g !== 'mesh');
    // An HTTPRoute's generated VirtualService is read back through the HTTPRoute, with its status.
    const { live: read, conditions, problems } = await readBackRoute(ctx, vs, intent.listeners);
    const live = read && withStepDelegates(read, step, ctx.plan.namespace);
    for (const host of (vs.spec?.hosts ?? []) as string[]) {
      const hostKey = gateway ? `${host} @gateway` : host;
      if (conditions) status[hostKey] = conditions;
      for (const p of problems) disagreements.push(`${hostKey}: ${p}`);
      // One view per group of proxies that hold different routes for the host (sourceLabels).
      for (const key of settled.viewsByHost[hostKey] ?? [hostKey]) {
        const labels = settled.labelsByView[key];
        intended[key] = summarizeIntent(vs, labels, gateway);
        readBack[key] = live ? summarizeIntent(live, labels, gateway) : 'absent';
        if (readBack[key] !== intended[key]) disagreements.push(clusterDisagreement(key, readBack[key], intended[key]));
        const held = settled.proxyView[key];
        if (held !== undefined && held !== readBack[key])
          disagreements.push(proxiesDisagreement(key, held, readBack[key]));
      }
    }
  }
  const observed: Record<string, string> = {};
  for (const e of expectations) {
    // A request of the user's own also names its host and headers: two can share a path.
    const key = e.host !== undefined || e.headers !== undefined ? describeWho(e) : `${e.user} ${e.path}`;
    observed[key] = trafficSummary(e);
    if (e.outcome === 'failed') disagreements.push(trafficDisagreement(key, observed[key], e.expected));
  }
  const hasStatus = Object.keys(status).length > 0;
  return {
    intended: { summary: intended },
    readBack: {
      summary: readBack,
      status: hasStatus ? status : undefined,
      note: hasStatus ? routeStatusNote(status) : undefined,
    },
    proxies: {
      summary: settled.proxyView,
      pods: settled.proxyPods,
      note: settled.by === 'traffic' ? SETTLED_FROM_TRAFFIC : undefined,
    },
    observed: { summary: observed },
    disagreements,
  };
}
