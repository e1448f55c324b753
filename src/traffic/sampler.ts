/**
 * The sampler: concurrent workers sending real requests through the ingress, each answer
 * classified and recorded. It knows nothing of verdicts; the caller says when to stop.
 */
import { round } from '../core/numbers.js';
import type { Classifier } from '../bookinfo/classification.js';
import type { HttpAnswer, IngressClient } from './client.js';
import { RequestRefusedError } from './request-refused.js';
import { MeshproofError } from '../core/errors.js';
import type { RequestPhase, RequestRecord } from '../model/record.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { InOrder } from './in-order.js';
import { RecordTable } from './record-table.js';
import { remembered, type RememberingClassifier } from './remembered.js';
import { versionClassifier } from './version-classifier.js';
import type { VersionFrom } from '../model/version-from.js';
import type { Classification } from '../bookinfo/classification.js';

export interface SampleSpec {
  step: string;
  expectation: number;
  phase: RequestPhase;
  /** `anonymous`, or a user to log in as. */
  user: string;
  path: string;
  /** Host header to send (absent: the client's own). */
  host?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Read the version from each answer this way (an expectation with `versions`) instead of Bookinfo's classifier. */
  versionFrom?: VersionFrom;
  /** Requests in flight at most; also the most answers sent and not yet seen by onRecord (in-order.ts). */
  concurrency: number;
  /** Hard cap on requests started by this call. */
  maxRequests: number;
  /** Asked before every new request; false stops the workers (in-flight requests complete). */
  shouldContinue: () => boolean;
  signal?: AbortSignal;
  /**
   * Sees each record in the order the requests were sent (in-order.ts says why): record i once
   * every request sent before it has completed, before the next stop decision.
   */
  onRecord?: (r: RequestRecord) => void;
  /** Least time between two request starts (all workers together). Default 0: as fast as answers come. */
  paceMs?: number;
  /** Each request on a connection of its own (an expectation's `splitPer: connection`; client.ts says how). */
  freshConnections?: boolean;
}

export class Sampler {
  private seq = 0;
  private readonly classifier: RememberingClassifier;

  constructor(
    private readonly client: IngressClient,
    classifier: Classifier,
    /** performance.now() at run start; record times are relative to it. */
    private readonly t0: number,
    private readonly onRecord: (r: RequestRecord) => void,
  ) {
    this.classifier = remembered(classifier);
  }

  /** Answers classified afresh, and found already classified, so far. */
  get classified(): { misses: number; hits: number } {
    return { ...this.classifier.stats };
  }

  /**
   * Runs until told to stop, the cap is reached or the signal aborts; resolves with what is kept of
   * each request. Rejects with a SamplingStoppedError, once the requests in flight are back, when
   * the client refuses to send a request (every one like it would be refused too).
   */
  async run(spec: SampleSpec): Promise<RecordTable> {
    const records = new RecordTable();
    let started = 0;
    let refusal: RequestRefusedError | null = null;
    const cookie = spec.user === 'anonymous' ? undefined : await this.client.cookieFor(spec.user);
    const headers: Record<string, string> = {
      ...spec.headers,
      ...(spec.host !== undefined && { host: spec.host }),
      ...(cookie && { cookie }),
    };
    const versions = spec.versionFrom ? versionClassifier(spec.versionFrom) : undefined;
    let nextStart = performance.now();
    const inOrder = new InOrder<RequestRecord>((r) => spec.onRecord?.(r));
    const going = () => refusal === null && !spec.signal?.aborted && spec.shouldContinue();
    const concurrency = Math.max(1, spec.concurrency);
    const worker = async () => {
      while (started < spec.maxRequests && going()) {
        // Answers sent but not yet shown to the caller stay under the concurrency: a worker whose
        // answer waits behind a slow one sends nothing until the slow one is back, so a verdict at
        // answer n has cost at most n + concurrency requests (uncapped, a verdict on 337 answers had
        // sent 1,885 at concurrency 256, the workers running on while answers queued behind one).
        if (inOrder.outstanding >= concurrency) {
          await inOrder.nextRelease();
          continue;
        }
        if (spec.paceMs) {
          const wait = nextStart - performance.now();
          nextStart = Math.max(nextStart, performance.now()) + spec.paceMs;
          if (wait > 0)
            await sleep(wait, undefined, spec.signal ? { signal: spec.signal } : undefined).catch(() => undefined);
          if (!going()) break;
        }
        started++;
        const index = inOrder.send();
        const sentAt = performance.now();
        let answer: HttpAnswer;
        try {
          answer = await this.client.send(
            spec.path,
            { headers, ...(spec.freshConnections && { freshConnection: true }) },
            sentAt,
          );
        } catch (err) {
          // A request that never completes releases nothing: wake the workers waiting for room.
          inOrder.wake();
          if (!(err instanceof RequestRefusedError)) throw err;
          refusal ??= err;
          break;
        }
        const r = this.record(spec, sentAt, answer, versions);
        records.push(r);
        this.onRecord(r);
        inOrder.complete(index, r);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (refusal) throw new SamplingStoppedError(refusal, records);
    return records;
  }

  private record(spec: SampleSpec, sentAt: number, answer: HttpAnswer, versions?: Classifier): RequestRecord {
    let c: Classification | null = null;
    if (answer.status !== null) {
      const res = { status: answer.status, contentType: answer.contentType, body: answer.body };
      c = versions ? versions.classify({ ...res, headers: answer.headers }) : this.classifier.classify(res);
    }
    const r: RequestRecord = {
      seq: ++this.seq,
      step: spec.step,
      expectation: spec.expectation,
      phase: spec.phase,
      user: spec.user,
      path: spec.path,
      t: round(sentAt - this.t0),
      latencyMs: round(answer.latencyMs),
      status: answer.status,
      reviews: c?.reviews ?? null,
      ratings: c?.ratings ?? null,
      pod: c?.pod ?? null,
    };
    if (versions) r.version = c?.version ?? null;
    if (answer.error) r.error = answer.error;
    if (answer.conn !== undefined) r.conn = answer.conn;
    return r;
  }
}

/** The sampler stopped because the client would not send its requests; the requests answered before are kept. */
export class SamplingStoppedError extends MeshproofError {
  constructor(
    readonly refusal: RequestRefusedError,
    readonly records: RecordTable,
  ) {
    super(`${refusal.message} (the sampler stopped after ${records.length} answers)`, { cause: refusal });
  }
}
