/**
 * Seeded Monte Carlo of a check fed through pooled connections, against a mesh that splits per
 * request or per connection. The client keeps `connections` connections, each carrying one request
 * at a time; a request goes to the first free one, as undici's pool hands it out, and the sampler's
 * cap holds (no more than `connections` requests sent and not yet handed to the check). A mesh that
 * splits per connection draws a version from the real split when a connection opens and serves every
 * request on it with that version; a connection may be recycled after `recycleEvery` requests (1: a
 * fresh connection per request, what `splitPer: connection` makes the client do). Answers reach the
 * check in send order, and at the verdict the connection clustering test runs over them.
 */
import { hash32, seededRandom } from '../../core/random.js';
import { InOrder } from '../../traffic/in-order.js';
import { createCheck } from '../check.js';
import { ConnectionTable } from '../connection-clustering.js';
import type { CheckOptions, Verdict } from '../types.js';
import { summarize, takeEarliest, type SimulationResult } from './simulate.js';

export interface ConnectionCase {
  expected: Record<string, number>;
  /** The real split, percent by outcome. */
  truth: Record<string, number>;
  /** What the mesh splits: each request, or each connection (its version drawn when it opens). */
  meshSplitsPer: 'request' | 'connection';
  /** Connections the client keeps, each one request at a time: also the concurrency. */
  connections: number;
  /** A connection closes after this many requests and opens anew (1: fresh per request; absent: never). */
  recycleEvery?: number;
  /** Mean answer time per outcome (1 where not listed), uniform in [0.5, 1.5] × the mean. */
  latency?: Record<string, number>;
  opts: CheckOptions;
  runs: number;
  seed: string;
}

export interface ConnectionResult extends SimulationResult {
  /** Runs whose answers the clustering test found clustered by connection (p < alpha). */
  clusterRate: number;
  /** Runs whose expectation failed: its verdict, or the clustering test. */
  stepFailRate: number;
  /** Runs whose expectation passed: the verdict passed and the test did not fire. */
  stepPassRate: number;
  /** The clustering test's p-value per run (1 where it had nothing to test). */
  pValues: Float64Array;
}

export function simulateConnections(c: ConnectionCase): ConnectionResult {
  const rng = seededRandom(hash32(c.seed));
  const names = Object.keys(c.truth);
  const total = names.reduce((s, k) => s + c.truth[k]!, 0);
  const draw = (): string => {
    let u = rng.next() * total;
    for (const k of names) if ((u -= c.truth[k]!) < 0) return k;
    return names[names.length - 1]!;
  };
  const k = Math.max(1, c.connections);
  const ns = new Float64Array(c.runs);
  const pValues = new Float64Array(c.runs);
  const tally: Record<Verdict, number> = { passed: 0, failed: 0, inconclusive: 0 };
  let clustered = 0;
  let stepFailed = 0;
  let stepPassed = 0;
  let socketIds = 0;
  // The clustering test's shuffles: one seed per run, apart from the stream that draws versions and latencies.
  const testSeeds = hash32(c.seed) ^ 0x5bd1e995;
  for (let r = 0; r < c.runs; r++) {
    const check = createCheck(c.expected, c.opts);
    const table = new ConnectionTable();
    const inOrder = new InOrder<{ outcome: string; conn: number }>((a) => {
      if (check.verdict() !== null) return;
      check.observe(a.outcome);
      table.add(a.conn, a.outcome);
    });
    // Each connection: its socket number, the version it is pinned to, requests carried, and whether one is in flight.
    const pool = Array.from({ length: k }, () => ({ id: 0, pinned: '', carried: 0, busy: false }));
    const open = (conn: (typeof pool)[number]) => {
      conn.id = ++socketIds;
      conn.pinned = c.meshSplitsPer === 'connection' ? draw() : '';
      conn.carried = 0;
    };
    pool.forEach(open);
    const flight: { at: number; outcome: string; conn: number; index: number; slot: number }[] = [];
    let now = 0;
    let sent = 0;
    const fill = () => {
      for (let slot = 0; slot < k; slot++) {
        const conn = pool[slot]!;
        if (conn.busy) continue;
        if (check.verdict() !== null || sent >= c.opts.maxRequests || inOrder.outstanding >= k) return;
        if (c.recycleEvery !== undefined && conn.carried >= c.recycleEvery) open(conn);
        const outcome = c.meshSplitsPer === 'connection' ? conn.pinned : draw();
        const mean = c.latency?.[outcome] ?? 1;
        conn.busy = true;
        conn.carried++;
        sent++;
        flight.push({ at: now + mean * (0.5 + rng.next()), outcome, conn: conn.id, index: inOrder.send(), slot });
      }
    };
    fill();
    while (flight.length > 0) {
      const done = takeEarliest(flight);
      now = done.at;
      pool[done.slot]!.busy = false;
      inOrder.complete(done.index, { outcome: done.outcome, conn: done.conn });
      fill();
    }
    const v = check.verdict();
    if (v === null) throw new Error(`check gave no verdict after ${check.n} observations`);
    tally[v]++;
    ns[r] = check.n;
    const test = table.test(c.opts.alpha, (testSeeds + r) | 0);
    pValues[r] = test.pValue;
    const fired = test.outcome === 'failed';
    if (fired) clustered++;
    if (fired || v === 'failed') stepFailed++;
    if (!fired && v === 'passed') stepPassed++;
  }
  return {
    ...summarize(ns, tally),
    clusterRate: clustered / c.runs,
    stepFailRate: stepFailed / c.runs,
    stepPassRate: stepPassed / c.runs,
    pValues,
  };
}
