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
