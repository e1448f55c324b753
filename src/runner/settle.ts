/**
 * Settling (DESIGN §5.1): after a step applies config, wait until the data plane holds it before
 * any response counts as evidence. Primary signal: the routes each relevant proxy holds. Where the
 * target cannot read proxies, fall back to traffic: sample until responses show the new config.
 */
import type { KubeObject } from '../kube/manifest.js';
import type { Step } from '../plan/types.js';
import { poll } from '../core/wait.js';
import { EnvironmentError } from '../core/errors.js';
import { formatMs } from '../core/duration.js';
import { summarizeVirtualService, summarizeRouteDump, sameRoutes, formatSummary } from '../istio/proxy-routes.js';
import type { RunContext } from './context.js';
import { relevantProxies, type ProxyDuty } from './relevant-proxies.js';
import { effectiveVirtualServices } from './effective-objects.js';
import { RecordTable } from '../traffic/record-table.js';

export interface SettleResult {
  by: 'proxies' | 'traffic' | 'none';
  propagationMs: number;
  /** What the proxies held when they settled, per host (for the report's layers). */
  proxyView: Record<string, string>;
  proxyPods: string[];
  /** Labels of a proxy that routes each host, to summarise intent the way that proxy sees it. */
  labelsByHost: Record<string, Record<string, string>>;
  settleRecords: RecordTable;
}

export async function settle(ctx: RunContext, step: Step, appliedAt: number): Promise<SettleResult> {
  const vss = effectiveVirtualServices(step, ctx.plan.namespace);
  const empty = { proxyView: {}, proxyPods: [], labelsByHost: {}, settleRecords: new RecordTable() };
  if (!vss.length) return { by: 'none', propagationMs: 0, ...empty };
  const duties = relevantProxies(vss, await ctx.target.proxies(ctx.plan.namespace));
  const readable = duties.length > 0 && (await ctx.target.proxyRoutes(duties[0]!.proxy)) !== null;
  await ctx.emit({ type: 'settle', step: step.name, state: 'waiting', by: readable ? 'proxies' : 'traffic' });
  try {
    const r = readable ? await settleByProxies(ctx, step, duties, appliedAt) : await settleByTraffic(ctx, step, appliedAt);
    await ctx.emit({ type: 'settle', step: step.name, state: 'settled', by: r.by, propagationMs: r.propagationMs });
    return r;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    await ctx.emit({ type: 'settle', step: step.name, state: 'timeout', by: readable ? 'proxies' : 'traffic', observed: (err as Error).message });
    throw err;
  }
}

async function settleByProxies(ctx: RunContext, step: Step, duties: ProxyDuty[], appliedAt: number): Promise<SettleResult> {
  const view: Record<string, string> = {};
  const labelsByHost: Record<string, Record<string, string>> = {};
  await poll({
    what: `every relevant proxy to hold the routes applied by step ${step.name}`,
    intervalMs: ctx.settlePollMs,
    timeoutMs: step.settings.settleTimeoutMs,
    signal: ctx.signal,
    check: async () => {
      const behind: string[] = [];
      for (const d of duties) {
        const dump = await ctx.target.proxyRoutes(d.proxy);
        const held = dump ? summarizeRouteDump(dump, d.host, { gateway: d.gateway }) : null;
        const want = summarizeVirtualService(d.vs, { proxyLabels: d.proxy.labels, gateway: d.gateway });
        const key = d.gateway ? `${d.host} @gateway` : d.host;
        view[key] = held ? formatSummary(held) : 'no routes';
        labelsByHost[key] ??= d.proxy.labels;
        if (!held || !sameRoutes(held, want)) behind.push(`${d.proxy.pod} holds "${view[key]}", want "${formatSummary(want)}"`);
      }
      return behind.length ? { done: false, observed: `${behind.length}/${duties.length} proxies behind: ${behind[0]}` } : { done: true, value: true };
    },
  });
  return {
    by: 'proxies',
    propagationMs: Math.max(1, Math.round(performance.now() - appliedAt)),
    proxyView: view,
    proxyPods: [...new Set(duties.map((d) => d.proxy.pod))],
    labelsByHost,
    settleRecords: new RecordTable(),
  };
}

/** Consecutive responses consistent with the first expectation that make traffic count as settled. */
const CONSISTENT_RUN = 10;

async function settleByTraffic(ctx: RunContext, step: Step, appliedAt: number): Promise<SettleResult> {
  const exp = step.expect[0];
  if (!exp?.reviews) return { by: 'none', propagationMs: 0, proxyView: {}, proxyPods: [], labelsByHost: {}, settleRecords: new RecordTable() };
  const support = new Set(Object.entries(exp.reviews).filter(([, v]) => v > 0).map(([k]) => k));
  const deadline = performance.now() + step.settings.settleTimeoutMs;
  const seen = new Set<string>();
  let run = 0;
  let last = 'no response yet';
  const records = await ctx.sampler.run({
    step: step.name,
    expectation: 0,
    phase: 'settle',
    user: exp.user,
    path: exp.path,
    concurrency: 1,
    maxRequests: Number.MAX_SAFE_INTEGER,
    signal: ctx.signal,
    shouldContinue: () => !(run >= CONSISTENT_RUN && seen.size === support.size) && performance.now() < deadline,
    onRecord: (r) => {
      last = r.reviews ?? `status ${r.status ?? r.error}`;
      if (r.reviews && support.has(r.reviews)) {
        run++;
        seen.add(r.reviews);
      } else {
        run = 0;
        seen.clear();
      }
    },
  });
  if (!(run >= CONSISTENT_RUN && seen.size === support.size)) {
    throw new EnvironmentError(
      `step ${step.name}: traffic did not show the new routes within ${formatMs(step.settings.settleTimeoutMs)}; last response: ${last}`,
    );
  }
  return { by: 'traffic', propagationMs: Math.max(1, Math.round(performance.now() - appliedAt)), proxyView: {}, proxyPods: [], labelsByHost: {}, settleRecords: records };
}

export function summarizeIntent(vs: KubeObject, labels: Record<string, string> | undefined, gateway: boolean): string {
  return formatSummary(summarizeVirtualService(vs, { proxyLabels: labels ?? {}, gateway }));
}
