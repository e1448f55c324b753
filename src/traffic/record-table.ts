/**
 * What a step keeps of its requests, in columns: a phase, a status, a latency, two outcomes, three
 * interned strings and a socket number per request, ~29 bytes each instead of an object of ~100. A
 * run of a million requests keeps ~29 MB; the full records go to requests.ndjson as they complete.
 *
 * Written by hand: a columnar store of nine fixed fields is smaller than any dependency for it.
 */
import type { RatingsState, ReviewsOutcome } from '../model/outcomes.js';
import type { KeptRecord, RequestPhase, RequestRecord } from '../model/record.js';

const PHASES: readonly RequestPhase[] = ['settle', 'verify', 'probe'];
const REVIEWS: readonly (ReviewsOutcome | null)[] = [null, 'v1', 'v2', 'v3', 'unavailable'];
const RATINGS: readonly (RatingsState | null)[] = [null, 'stars', 'none', 'unavailable'];
/** The version column's mark for an answer whose version could not be read. */
const NO_VERSION = 0xffffffff;

export class RecordTable implements Iterable<KeptRecord> {
  length = 0;
  private phase = new Uint8Array(0);
  /** 0 for no status (the transport failed); HTTP statuses are never 0. */
  private status = new Uint16Array(0);
  private latency = new Float64Array(0);
  private reviews = new Uint8Array(0);
  private ratings = new Uint8Array(0);
  /** Indexes into `strings`; 0 for none. */
  private pod = new Uint32Array(0);
  private error = new Uint32Array(0);
  /** A generic expectation's version: an index into `strings`; 0 absent (a Bookinfo record), NO_VERSION unreadable. */
  private version = new Uint32Array(0);
  /** The socket that carried it (RequestRecord.conn); 0 absent. */
  private conn = new Uint32Array(0);
  private strings: (string | undefined)[] = [undefined];
  private stringIds = new Map<string, number>();

  push(r: KeptRecord | RequestRecord): void {
    // Codes first: a value without one throws before anything is written.
    const phase = code(PHASES, r.phase);
    const reviews = code(REVIEWS, r.reviews);
    const ratings = code(RATINGS, r.ratings);
    if (this.length === this.phase.length) this.grow();
    const i = this.length++;
    this.phase[i] = phase;
    this.status[i] = r.status ?? 0;
    this.latency[i] = r.latencyMs;
    this.reviews[i] = reviews;
    this.ratings[i] = ratings;
    this.pod[i] = r.pod === null ? 0 : this.intern(r.pod);
    this.error[i] = r.error === undefined ? 0 : this.intern(r.error);
    this.version[i] = r.version === undefined ? 0 : r.version === null ? NO_VERSION : this.intern(r.version);
    this.conn[i] = r.conn ?? 0;
  }

  /** Adds every record of `other`, column by column (no record is made as an object). */
  append(other: RecordTable): void {
    const n = other.length;
    if (!n) return;
    if (this.length + n > this.phase.length) this.grow(this.length + n);
    const at = this.length;
    this.phase.set(other.phase.subarray(0, n), at);
    this.status.set(other.status.subarray(0, n), at);
    this.latency.set(other.latency.subarray(0, n), at);
    this.reviews.set(other.reviews.subarray(0, n), at);
    this.ratings.set(other.ratings.subarray(0, n), at);
    this.conn.set(other.conn.subarray(0, n), at);
    // Interned strings are numbered per table: renumber other's into this one's.
    const ids = other.strings.map((str) => (str === undefined ? 0 : this.intern(str)));
    for (let i = 0; i < n; i++) {
      this.pod[at + i] = ids[other.pod[i]!]!;
      this.error[at + i] = ids[other.error[i]!]!;
      const v = other.version[i]!;
      this.version[at + i] = v === NO_VERSION ? NO_VERSION : ids[v]!;
    }
    this.length += n;
  }

  get(i: number): KeptRecord {
    if (i < 0 || i >= this.length) throw new RangeError(`record ${i} of ${this.length}`);
    const r: KeptRecord = {
      phase: PHASES[this.phase[i]!]!,
      status: this.status[i] || null,
      latencyMs: this.latency[i]!,
      reviews: REVIEWS[this.reviews[i]!]!,
      ratings: RATINGS[this.ratings[i]!]!,
      pod: this.strings[this.pod[i]!] ?? null,
    };
    const error = this.strings[this.error[i]!];
    if (error !== undefined) r.error = error;
    const v = this.version[i]!;
    if (v !== 0) r.version = v === NO_VERSION ? null : this.strings[v]!;
    if (this.conn[i]) r.conn = this.conn[i];
    return r;
  }

  /** One record at a time, made when asked for: a pass over a long step holds none of them. */
  *[Symbol.iterator](): Iterator<KeptRecord> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  private intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.push(s) - 1;
      this.stringIds.set(s, id);
    }
    return id;
  }

  private grow(atLeast = 0): void {
    const size = Math.max(256, this.phase.length * 2, atLeast);
    const widen = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(size);
      b.set(a as never);
      return b;
    };
    this.phase = widen(this.phase, (n) => new Uint8Array(n));
    this.status = widen(this.status, (n) => new Uint16Array(n));
    this.latency = widen(this.latency, (n) => new Float64Array(n));
    this.reviews = widen(this.reviews, (n) => new Uint8Array(n));
    this.ratings = widen(this.ratings, (n) => new Uint8Array(n));
    this.pod = widen(this.pod, (n) => new Uint32Array(n));
    this.error = widen(this.error, (n) => new Uint32Array(n));
    this.version = widen(this.version, (n) => new Uint32Array(n));
    this.conn = widen(this.conn, (n) => new Uint32Array(n));
  }
}

function code<T>(values: readonly T[], v: T): number {
  const i = values.indexOf(v);
  if (i === -1) throw new Error(`unexpected value ${String(v)} (known: ${values.join(', ')})`);
  return i;
}
