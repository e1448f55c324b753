/**
 * Settling (README, "How a step is decided"): after a step applies config, wait until the data plane holds it before
 * any response counts as evidence. Primary signal: the routes each relevant proxy holds, every one
 * of them readable, listed again once they hold the routes (a replica that appeared meanwhile must
 * settle too). Where some proxy can't be read, fall back to traffic: sample until the answers
 * show the new config, by the rule src/verify/settle-test.ts chooses for the old and new splits
 * (or refuses, saying why).
 */
import type { KubeObject } from '../kube/manifest.js';
import { expectedSplit, type Step } from '../plan/types.js';
import { effectiveTolerance } from '../plan/effective-tolerance.js';
import { poll } from '../core/wait.js';
import { EnvironmentError } from '../core/errors.js';
import { formatMs } from '../core/duration.js';
import {
  summarizeVirtualService,
  summarizeRouteDump,
  sameRoutes,
  formatSummary,
} from '../istio/proxy-config/proxy-routes.js';
import type { RunContext } from './context.js';
import type { ProxyDuty } from './relevant-proxies.js';
import type { StepIntent } from './step-intent.js';
import { RecordTable } from '../traffic/record-table.js';
import { isError, versionOf } from '../model/record.js';
import { requestOf } from './verify-expectation.js';
import { settleDetector } from '../verify/settle-test.js';
import { settleProgressText, settleRefusalText, settleRuleText } from '../report/settle-messages.js';
import type { ProxyInfo } from '../targets/target.js';

export interface SettleResult {
  by: 'proxies' | 'traffic' | 'none';
  propagationMs: number;
  /**
   * What the proxies held when they settled (for the report's layers), per view: a host, or
   * `<host> via <pods>` where sourceLabels make proxies hold different routes for one host.
   */
  proxyView: Record<string, string>;
  proxyPods: string[];
  /** Labels of a proxy behind each view, to summarise intent the way that proxy sees it. */
  labelsByView: Record<string, Record<string, string>>;
  /** The views of each host (`reviews`, `reviews @gateway`): one, or one per group of proxies that differ. */
  viewsByHost: Record<string, string[]>;
  settleRecords: RecordTable;
}

/** Nothing to wait for (or no way to tell): no views, no settle requests. */
function notSettled(): SettleResult {
  return {
    by: 'none',
    propagationMs: 0,
    proxyView: {},
    proxyPods: [],
    labelsByView: {},
    viewsByHost: {},
    settleRecords: new RecordTable(),
  };
}

export async function settle(
  ctx: RunContext,
  step: Step,
  intent: StepIntent,
  appliedAt: number,
): Promise<SettleResult> {
  if (!intent.routes.length) return notSettled();
  const duties = intent.watch(await ctx.target.proxies(ctx.plan.namespace));
  const readable = duties.length > 0 && (await unreadable(ctx, duties)).length === 0;
  await ctx.emit({ type: 'settle', step: step.name, state: 'waiting', by: readable ? 'proxies' : 'traffic' });
  try {
    const r = readable
      ? await settleByProxies(ctx, step, intent, duties, appliedAt)
      : await settleByTraffic(ctx, step, appliedAt);
    await ctx.emit({ type: 'settle', step: step.name, state: 'settled', by: r.by, propagationMs: r.propagationMs });
    return r;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    await ctx.emit({
      type: 'settle',
      step: step.name,
      state: 'timeout',
      by: readable ? 'proxies' : 'traffic',
      observed: (err as Error).message,
    });
    throw err;
  }
}

/** Pods among the duties' proxies whose routes can't be read (probed one by one, each once). */
async function unreadable(ctx: RunContext, duties: ProxyDuty[]): Promise<string[]> {
  const proxies = new Map<string, ProxyInfo>(duties.map((d) => [`${d.proxy.namespace}/${d.proxy.pod}`, d.proxy]));
  const out: string[] = [];
  for (const p of proxies.values()) if ((await ctx.target.proxyRoutes(p)) === null) out.push(p.pod);
  return out;
}

async function settleByProxies(
  ctx: RunContext,
  step: Step,
  intent: StepIntent,
  first: ProxyDuty[],
  appliedAt: number,
): Promise<SettleResult> {
  const deadline = appliedAt + step.settings.settleTimeoutMs;
  let duties = first;
  let held: HeldRoutes[] = [];
  // Until a fresh listing names no proxy that has not been seen holding the routes.
  for (;;) {
    held = await holdAll(ctx, step, duties, Math.max(0, deadline - performance.now()));
    const settled = new Set(duties.map((d) => `${d.proxy.namespace}/${d.proxy.pod}`));
    const again = intent.watch(await ctx.target.proxies(ctx.plan.namespace));
    const fresh = again.filter((d) => !settled.has(`${d.proxy.namespace}/${d.proxy.pod}`));
    if (!fresh.length) break;
    // A newcomer whose routes can't be read leaves traffic as the only witness.
    if ((await unreadable(ctx, fresh)).length) return settleByTraffic(ctx, step, appliedAt);
    duties = again;
  }
  return {
    by: 'proxies',
    propagationMs: Math.max(1, Math.round(performance.now() - appliedAt)),
    ...proxyViews(held),
    proxyPods: [...new Set(duties.map((d) => d.proxy.pod))],
    settleRecords: new RecordTable(),
  };
}

/** Polls until every duty's proxy holds what was applied; what each held at the end. */
async function holdAll(ctx: RunContext, step: Step, duties: ProxyDuty[], timeoutMs: number): Promise<HeldRoutes[]> {
  let held: HeldRoutes[] = [];
  await poll({
    what: `every relevant proxy to hold the routes applied by step ${step.name}`,
    intervalMs: ctx.settlePollMs,
    timeoutMs,
    signal: ctx.signal,
    check: async () => {
      const behind: string[] = [];
      held = [];
      for (const d of duties) {
        const dump = await ctx.target.proxyRoutes(d.proxy);
        const routes = dump ? summarizeRouteDump(dump, d.host, { gateway: d.gateway }) : null;
        const want = summarizeVirtualService(d.vs, { proxyLabels: d.proxy.labels, gateway: d.gateway });
        const summary = routes ? formatSummary(routes) : 'no routes';
        held.push({
          host: d.gateway ? `${d.host} @gateway` : d.host,
          pod: d.proxy.pod,
          labels: d.proxy.labels,
          summary,
        });
        if (!routes || !sameRoutes(routes, want))
          behind.push(`${d.proxy.pod} holds "${summary}", want "${formatSummary(want)}"`);
      }
      return behind.length
        ? { done: false, observed: `${behind.length}/${duties.length} proxies behind: ${behind[0]}` }
        : { done: true, value: true };
    },
  });
  return held;
}

interface HeldRoutes {
  host: string;
  pod: string;
  labels: Record<string, string>;
  summary: string;
}

/**
 * One view per host when every proxy holds the same routes for it; otherwise one per group of
 * proxies holding the same routes (sourceLabels rules apply in some callers' proxies only), named
 * after the group's pods.
 */
function proxyViews(held: HeldRoutes[]): Pick<SettleResult, 'proxyView' | 'labelsByView' | 'viewsByHost'> {
  const out: Pick<SettleResult, 'proxyView' | 'labelsByView' | 'viewsByHost'> = {
    proxyView: {},
    labelsByView: {},
    viewsByHost: {},
  };
  const hosts = new Map<string, Map<string, HeldRoutes[]>>();
  for (const h of held) {
    const groups = hosts.get(h.host) ?? new Map<string, HeldRoutes[]>();
    hosts.set(h.host, groups);
    groups.set(h.summary, [...(groups.get(h.summary) ?? []), h]);
  }
  for (const [host, groups] of hosts) {
    out.viewsByHost[host] = [];
    for (const [summary, members] of groups) {
      const key = groups.size === 1 ? host : `${host} via ${namePods(members.map((m) => m.pod))}`;
      out.viewsByHost[host].push(key);
      out.proxyView[key] = summary;
      out.labelsByView[key] = members[0]!.labels;
    }
  }
  return out;
}

function namePods(pods: string[]): string {
  const unique = [...new Set(pods)];
  return unique.length <= 2 ? unique.join(', ') : `${unique.slice(0, 2).join(', ')} +${unique.length - 2}`;
}

/**
 * Least time between settling requests on a cluster: settling only watches for the new routes, and
 * an existing cluster's ingress is shared. 20 requests a second still shows a change within a second;
 * a mesh that lives in this process (the local one) is its own and is not paced.
 */
export const CLUSTER_SETTLE_PACE_MS = 50;

/** Settling by traffic timed out; the requests it sent are kept (they are in requests.ndjson too). */
export class SettleTimeoutError extends EnvironmentError {
  constructor(
    message: string,
    readonly records: RecordTable,
  ) {
    super(message);
  }
}

async function settleByTraffic(ctx: RunContext, step: Step, appliedAt: number): Promise<SettleResult> {
  const exp = step.expect[0];
  const split = exp && expectedSplit(exp);
  if (!exp || !split) return notSettled();
  const s = step.settings;
  // A tenth of the step's alpha: settling on the old routes would make the verdict judge them.
  const detector = settleDetector(split, ctx.verifiedSplits.of(exp), {
    alpha: s.alpha / 10,
    tolerance: effectiveTolerance(s, exp),
    maxAnswers: s.maxRequests,
    applied: ctx.verifiedSplits.appliedOf(exp),
  });
  const rule = detector.rule;
  if (rule.kind === 'refused') {
    throw new EnvironmentError(`cannot settle by traffic: ${settleRefusalText(rule)}`, {
      hint:
        'let meshproof read the proxies (istioctl proxy-config routes), ' +
        'or verify this user and path in an earlier step',
    });
  }
  const deadline = performance.now() + s.settleTimeoutMs;
  const records = await ctx.sampler.run({
    step: step.name,
    expectation: 0,
    phase: 'settle',
    user: exp.user,
    path: exp.path,
    ...requestOf(exp),
    concurrency: 1,
    maxRequests: s.maxRequests,
    signal: ctx.signal,
    paceMs: ctx.target.traits.lifetime === 'process' ? undefined : CLUSTER_SETTLE_PACE_MS,
    shouldContinue: () => !detector.settled() && performance.now() < deadline,
    onRecord: (r) => detector.observe(isError(r) ? null : versionOf(r, split)),
  });
  if (!detector.settled()) {
    const limit = records.length >= s.maxRequests ? `${s.maxRequests} answers` : formatMs(s.settleTimeoutMs);
    // The caller names the step; the requests sent stay with the error so the step counts them.
    throw new SettleTimeoutError(
      `traffic did not show the new routes within ${limit} (${records.length} requests, ` +
        `waiting for ${settleRuleText(rule)}); ${settleProgressText(rule, detector.progress())}`,
      records,
    );
  }
  return {
    ...notSettled(),
    by: 'traffic',
    propagationMs: Math.max(1, Math.round(performance.now() - appliedAt)),
    settleRecords: records,
  };
}

export function summarizeIntent(vs: KubeObject, labels: Record<string, string> | undefined, gateway: boolean): string {
  return formatSummary(summarizeVirtualService(vs, { proxyLabels: labels ?? {}, gateway }));
}
