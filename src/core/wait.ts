import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from './errors.js';
import { formatMs } from './duration.js';

export interface PollOptions<T> {
  /** What is being waited for, for the timeout message: "Deployment reviews-v1 to roll out". */
  what: string;
  intervalMs: number;
  timeoutMs: number;
  /** Returns `done: true` with a value when finished; `observed` says what was last seen. */
  check: () => Promise<{ done: true; value: T } | { done: false; observed: string }>;
  signal?: AbortSignal;
  /** Multiply the interval by this after each miss (capped at maxIntervalMs). Default 1. */
  backoff?: number;
  maxIntervalMs?: number;
}

/**
 * Polls with an interval and a deadline. On timeout the error says what was awaited, for how
 * long, and what was last observed. An exception from `check` counts as an observation (its
 * message is kept) so transient errors do not abort a wait.
 */
export async function poll<T>(opts: PollOptions<T>): Promise<T> {
  const start = Date.now();
  let interval = opts.intervalMs;
  let observed = 'nothing observed yet';
  let lastError: unknown;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const r = await opts.check();
      if (r.done) return r.value;
      observed = r.observed;
      lastError = undefined;
    } catch (err) {
      lastError = err;
      observed = `error: ${err instanceof Error ? err.message : String(err)}`;
    }
    const elapsed = Date.now() - start;
    if (elapsed >= opts.timeoutMs) {
      throw new EnvironmentError(
        `timed out after ${formatMs(elapsed)} waiting for ${opts.what}; last observed: ${observed}`,
        {
          cause: lastError,
        },
      );
    }
    await sleep(Math.min(interval, Math.max(0, opts.timeoutMs - elapsed)), undefined, { signal: opts.signal });
    interval = Math.min(interval * (opts.backoff ?? 1), opts.maxIntervalMs ?? interval * (opts.backoff ?? 1));
  }
}

/**
 * `work`, or an EnvironmentError once `timeoutMs` have passed without an answer: for a call that
 * has no deadline of its own (an API request to a server that accepts and never answers). The
 * call itself is not stopped; its answer, when it comes, is dropped.
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EnvironmentError(`${what} did not answer within ${formatMs(timeoutMs)}`)),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
