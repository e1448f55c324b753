/**
 * Step gates (README, "Plans") over the verification requests of a step: error rate, degraded rate and
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
 *
 * Unclassified answers (2xx, but no page or version the classifier can read) are not a gate by
 * default: the check counts each one against every test (verify/strays.ts), which holds its error
 * rates whatever versions they hid. A fixed 1 % gate did not: at about 51 answers one unreadable
 * answer tripped it, so an exact step failed 1 − (1 − u)^51 of the time (5 % at u = 1e-3). A plan
 * can still set maxUnclassifiedRate as a gate of its own.
 */
import type { GateLimits, Gates } from '../plan/types.js';
import type { GateResult, LatencySummary } from '../model/results.js';
import { isDegraded, isError, isUnclassified, outcomeOf, type RequestRecord } from '../model/record.js';
import { percentiles } from './percentile.js';

type Rec = Pick<RequestRecord, 'phase' | 'status' | 'error' | 'latencyMs' | 'reviews' | 'ratings' | 'version'>;

const LATENCY_GATES = [
  ['p50LatencyMs', 50],
  ['p90LatencyMs', 90],
  ['p99LatencyMs', 99],
] as const;

/**
 * A step's verification figures, read from its records once: gates, latency overall and per
 * version all come from the same pass.
 */
export class StepFigures {
  private readonly all: Population;
  private readonly byVersion: Map<string, Population>;

  constructor(records: Iterable<Rec>) {
    ({ all: this.all, byVersion: this.byVersion } = populations(records));
  }

  /** Evaluates a step's gates; maxErrorRate defaults to 0 (no error once settled), the others to no gate. */
  gates(gates: Gates): GateResult[] {
    const { byVersion: _, ...overall } = gates;
    const results = evaluateLimits(this.all, {
      ...overall,
      maxErrorRate: gates.maxErrorRate ?? 0,
    });
    for (const [version, limits] of Object.entries(gates.byVersion ?? {})) {
      for (const g of evaluateLimits(this.byVersion.get(version) ?? new Population(), limits))
        results.push({ ...g, version });
    }
    return results;
  }

  /** p50/p90/p99 of the latency population described in the header, over verification requests. */
  latency(): LatencySummary {
    return this.all.summary();
  }

  /** latency() per reviews outcome (`v1`, `v3`, `unavailable`), for requests that have one. */
  latencyByVersion(): Record<string, LatencySummary> {
    return Object.fromEntries([...this.byVersion.keys()].sort().map((v) => [v, this.byVersion.get(v)!.summary()]));
  }
}

/**
 * The counts a gate needs, gathered in one pass: records are read one at a time (a long step's
 * records are not held as objects), latencies kept as plain numbers.
 */
class Population {
  n = 0;
  errors = 0;
  degraded = 0;
  unclassified = 0;
  readonly latencies: number[] = [];

  add(r: Rec): void {
    this.n++;
    if (isError(r)) this.errors++;
    else if (isDegraded(r)) this.degraded++;
    if (isUnclassified(r)) this.unclassified++;
    if (r.status !== null || isTimeout(r.error)) this.latencies.push(r.latencyMs);
  }

  summary(): LatencySummary {
    const [p50, p90, p99] = percentiles(this.latencies, [50, 90, 99]);
    return { p50: p50!, p90: p90!, p99: p99! };
  }
}

/**
 * Verification requests overall and per reviews outcome (`v1`, `v3`, `unavailable`); settling ones are not evidence
 * (README, "How a step is decided").
 */
function populations(records: Iterable<Rec>): { all: Population; byVersion: Map<string, Population> } {
  const all = new Population();
  const byVersion = new Map<string, Population>();
  for (const r of records) {
    if (r.phase !== 'verify') continue;
    all.add(r);
    const version = outcomeOf(r);
    if (version === null) continue;
    let p = byVersion.get(version);
    if (!p) byVersion.set(version, (p = new Population()));
    p.add(r);
  }
  return { all, byVersion };
}

function evaluateLimits(p: Population, limits: GateLimits & { maxUnclassifiedRate?: number }): GateResult[] {
  const out: GateResult[] = [];
  const judge = (name: string, limit: number, observed: number | null): GateResult => ({
    name,
    limit,
    observed,
    // No requests, nothing to judge: the expectation's own verdict says why there were none.
    outcome: observed === null ? 'skipped' : observed <= limit ? 'passed' : 'failed',
  });
  if (limits.maxErrorRate !== undefined)
    out.push(judge('maxErrorRate', limits.maxErrorRate, p.n ? p.errors / p.n : null));
  if (limits.maxDegradedRate !== undefined)
    out.push(judge('maxDegradedRate', limits.maxDegradedRate, p.n ? p.degraded / p.n : null));
  if (limits.maxUnclassifiedRate !== undefined)
    out.push(judge('maxUnclassifiedRate', limits.maxUnclassifiedRate, p.n ? p.unclassified / p.n : null));
  const wanted = LATENCY_GATES.filter(([name]) => limits[name] !== undefined);
  if (wanted.length) {
    const values = percentiles(
      p.latencies,
      wanted.map(([, q]) => q),
    );
    wanted.forEach(([name], i) => out.push(judge(name, limits[name]!, values[i]!)));
  }
  return out;
}

function isTimeout(error: string | undefined): boolean {
  return error !== undefined && /timeout|timed out/i.test(error);
}
