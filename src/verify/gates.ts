/**
 * Step gates (DESIGN §4) over the verification requests of a step: error rate, degraded rate and
 * latency percentiles, overall and per reviews version.
 *
 * Populations:
 * - rates count every verification request: errors (transport failures and non-2xx) and degraded
 *   pages (2xx pages showing a reviews or ratings error) are both shares of all requests sent, so
 *   the two add up to the share of bad answers;
 * - latency counts requests that got an answer (any status) and requests that timed out, at the
 *   time they were given up on (a lower bound of their real latency, which is what a latency limit
 *   needs); other transport failures (refused, reset) fail fast and would flatter the percentiles,
 *   so they are left out of latency and counted by the error gate instead.
 * Per version, a request belongs to the version that served it (`reviews` as classified); requests
 * with no version (most errors) count only overall.
 */
import type { GateLimits, Gates } from '../plan/types.js';
import type { GateResult, LatencySummary } from '../report/results.js';
import { isDegraded, isError, type RequestRecord } from '../traffic/record.js';
import { percentiles } from './percentile.js';

type Rec = Pick<RequestRecord, 'phase' | 'status' | 'error' | 'latencyMs' | 'reviews' | 'ratings'>;

const LATENCY_GATES = [
  ['p50LatencyMs', 50],
  ['p90LatencyMs', 90],
  ['p99LatencyMs', 99],
] as const;

/** Evaluates a step's gates; maxErrorRate defaults to 0 (no error once settled) when unset. */
export function evaluateGates(records: readonly Rec[], gates: Gates): GateResult[] {
  const evidence = verificationOnly(records);
  const results = evaluateLimits(evidence, { ...gates, maxErrorRate: gates.maxErrorRate ?? 0 });
  for (const [version, limits] of Object.entries(gates.byVersion ?? {})) {
    const own = evidence.filter((r) => r.reviews === version);
    for (const g of evaluateLimits(own, limits)) results.push({ ...g, version });
  }
  return results;
}

function evaluateLimits(records: readonly Rec[], limits: GateLimits): GateResult[] {
  const out: GateResult[] = [];
  const judge = (name: string, limit: number, observed: number | null): GateResult => ({
    name,
    limit,
    observed,
    // No requests, nothing to judge: the expectation's own verdict says why there were none.
    outcome: observed === null ? 'skipped' : observed <= limit ? 'passed' : 'failed',
  });
  if (limits.maxErrorRate !== undefined) out.push(judge('maxErrorRate', limits.maxErrorRate, errorRate(records)));
  if (limits.maxDegradedRate !== undefined) out.push(judge('maxDegradedRate', limits.maxDegradedRate, degradedRate(records)));
  const wanted = LATENCY_GATES.filter(([name]) => limits[name] !== undefined);
  if (wanted.length) {
    const values = percentiles(latencies(records), wanted.map(([, p]) => p));
    wanted.forEach(([name], i) => out.push(judge(name, limits[name]!, values[i]!)));
  }
  return out;
}

/** Share of requests that were errors (transport failure or non-2xx); null with no requests. */
export function errorRate(records: readonly Pick<RequestRecord, 'status'>[]): number | null {
  if (records.length === 0) return null;
  return records.filter((r) => isError(r)).length / records.length;
}

/** Share of requests that were 2xx pages showing a reviews or ratings error; null with no requests. */
export function degradedRate(records: readonly Pick<RequestRecord, 'status' | 'reviews' | 'ratings'>[]): number | null {
  if (records.length === 0) return null;
  return records.filter((r) => isDegraded(r)).length / records.length;
}

/** p50/p90/p99 of the latency population described in the header. */
export function latencySummary(records: readonly Rec[]): LatencySummary {
  const [p50, p90, p99] = percentiles(latencies(verificationOnly(records)), [50, 90, 99]);
  return { p50: p50!, p90: p90!, p99: p99! };
}

/** latencySummary per reviews outcome (`v1`, `v3`, `unavailable`), for requests that have one. */
export function latencyByVersion(records: readonly Rec[]): Record<string, LatencySummary> {
  const groups = new Map<string, Rec[]>();
  for (const r of verificationOnly(records)) {
    if (r.reviews === null) continue;
    let g = groups.get(r.reviews);
    if (!g) groups.set(r.reviews, (g = []));
    g.push(r);
  }
  return Object.fromEntries([...groups.keys()].sort().map((v) => [v, latencySummary(groups.get(v)!)]));
}

/** Latencies of answered and timed-out requests. */
export function latencies(records: readonly Pick<RequestRecord, 'status' | 'error' | 'latencyMs'>[]): number[] {
  return records.filter((r) => r.status !== null || isTimeout(r.error)).map((r) => r.latencyMs);
}

function isTimeout(error: string | undefined): boolean {
  return error !== undefined && /timeout|timed out/i.test(error);
}

/** Settling responses are kept in the record but are not evidence (DESIGN §5.1). */
function verificationOnly<T extends Pick<RequestRecord, 'phase'>>(records: readonly T[]): T[] {
  return records.filter((r) => r.phase === 'verify');
}
