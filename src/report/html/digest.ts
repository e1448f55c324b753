/**
 * Requests boiled down for plotting, in bounded memory: per step and expectation a series of
 * buckets (consecutive requests with their outcome counts) that halves its resolution whenever it
 * grows past a limit, and per version a seeded reservoir sample of latencies. 100 requests or
 * 10 million give a digest of the same size.
 */
import { isError, outcomeOf, type RequestRecord } from '../../model/record.js';
import { seededRandom, type Random } from '../../core/random.js';

export interface Bucket {
  /** First and last request time in the bucket, ms since the run started. */
  t0: number;
  t1: number;
  n: number;
  errors: number;
  /** Non-error responses by reviews outcome (`v1` … `unavailable`, `unclassified`). */
  counts: Record<string, number>;
  /** Verification evidence (after settling) rather than settling traffic. */
  verify: boolean;
}

/** Consecutive requests in at most 2 × `max` buckets; merges neighbours pairwise when full. */
export class BucketSeries {
  readonly buckets: Bucket[] = [];
  /** Requests per bucket before it is closed; doubles with every merge. */
  size = 1;

  constructor(private readonly max = 240) {}

  add(t: number, key: string | null, verify: boolean): void {
    let b = this.buckets[this.buckets.length - 1];
    if (!b || b.n >= this.size || b.verify !== verify) {
      b = { t0: t, t1: t, n: 0, errors: 0, counts: {}, verify };
      this.buckets.push(b);
    }
    b.n++;
    b.t0 = Math.min(b.t0, t);
    b.t1 = Math.max(b.t1, t);
    if (key === null) b.errors++;
    else b.counts[key] = (b.counts[key] ?? 0) + 1;
    if (this.buckets.length > 2 * this.max) this.halve();
  }

  private halve(): void {
    this.size *= 2;
    // Only buckets of the same phase merge, so the settle point stays sharp — unless phases
    // interleave so much (records arrive in completion order) that the bound would not hold.
    let merged = pairUp(this.buckets, this.size, true);
    if (merged.length > 1.5 * this.max) merged = pairUp(merged, this.size, false);
    this.buckets.splice(0, this.buckets.length, ...merged);
  }
}

function pairUp(buckets: Bucket[], size: number, samePhaseOnly: boolean): Bucket[] {
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && (!samePhaseOnly || last.verify === b.verify) && last.n + b.n <= size) mergeInto(last, b);
    else merged.push({ ...b, counts: { ...b.counts } });
  }
  return merged;
}

function mergeInto(a: Bucket, b: Bucket): void {
  a.t0 = Math.min(a.t0, b.t0);
  a.t1 = Math.max(a.t1, b.t1);
  a.n += b.n;
  a.errors += b.errors;
  a.verify = a.verify && b.verify;
  for (const [k, v] of Object.entries(b.counts)) a.counts[k] = (a.counts[k] ?? 0) + v;
}

/** A fixed-size uniform sample of a stream (reservoir sampling), seeded so reports are repeatable. */
export class Reservoir {
  readonly values: number[] = [];
  seen = 0;

  constructor(
    private readonly cap: number,
    private readonly random: Random,
  ) {}

  add(v: number): void {
    this.seen++;
    if (this.values.length < this.cap) this.values.push(v);
    else {
      const j = Math.floor(this.random.next() * this.seen);
      if (j < this.cap) this.values[j] = v;
    }
  }
}

export interface StepDigest {
  step: string;
  requests: number;
  firstT: number;
  lastT: number;
  /** When the first verification request of the step was sent: the settle point. */
  firstVerifyT: number | null;
  byExpectation: Map<number, BucketSeries>;
  /** Verification latencies by version (`error` for transport failures and non-2xx). */
  latency: Map<string, Reservoir>;
}

export interface RequestDigest {
  steps: Map<string, StepDigest>;
  requests: number;
}

export interface DigestOptions {
  seed?: number;
  maxBuckets?: number;
  latencySample?: number;
}

export class Digester {
  readonly digest: RequestDigest = { steps: new Map(), requests: 0 };
  private readonly random: Random;

  constructor(private readonly o: DigestOptions = {}) {
    this.random = seededRandom(o.seed ?? 1).fork('report-latency-sample');
  }

  add(r: RequestRecord): void {
    this.digest.requests++;
    const d = this.stepOf(r);
    d.requests++;
    d.firstT = Math.min(d.firstT, r.t);
    d.lastT = Math.max(d.lastT, r.t);
    const verify = r.phase === 'verify';
    if (verify) d.firstVerifyT = d.firstVerifyT === null ? r.t : Math.min(d.firstVerifyT, r.t);
    const error = isError(r);
    let series = d.byExpectation.get(r.expectation);
    if (!series) d.byExpectation.set(r.expectation, (series = new BucketSeries(this.o.maxBuckets)));
    series.add(r.t, error ? null : (outcomeOf(r) ?? 'unclassified'), verify);
    if (!verify) return;
    const key = error ? 'error' : (outcomeOf(r) ?? 'unclassified');
    let res = d.latency.get(key);
    if (!res)
      d.latency.set(key, (res = new Reservoir(this.o.latencySample ?? 240, this.random.fork(`${r.step}:${key}`))));
    res.add(r.latencyMs);
  }

  private stepOf(r: RequestRecord): StepDigest {
    let d = this.digest.steps.get(r.step);
    if (!d) {
      d = {
        step: r.step,
        requests: 0,
        firstT: r.t,
        lastT: r.t,
        firstVerifyT: null,
        byExpectation: new Map(),
        latency: new Map(),
      };
      this.digest.steps.set(r.step, d);
    }
    return d;
  }
}

export async function digestRequests(
  records: AsyncIterable<RequestRecord> | Iterable<RequestRecord>,
  o: DigestOptions = {},
): Promise<RequestDigest> {
  const d = new Digester(o);
  for await (const r of records) d.add(r);
  return d.digest;
}
