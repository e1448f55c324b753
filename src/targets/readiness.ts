/**
 * The one HTTP readiness probe. Bookinfo has no readiness probes, so a Ready pod may not serve yet
 * (the reviews JVM starts slowly), and a gateway refuses connections for a while after it starts:
 * poll the pages the plans use until they answer, with an interval and a deadline.
 */
import { request } from 'undici';
import { poll } from '../core/wait.js';

export const READINESS_PATHS = ['/productpage', '/api/v1/products/0/reviews'] as const;

/**
 * The paths to wait for after `up`: both when Bookinfo's pods may be new (reviews' JVM starts slowly), only the page
 * when they ran unchanged before. The reviews API answers through the routes a previous run may have left (a 0.5 s
 * timeout, a fault), which the plan's setup replaces: they must not hold up `up` on a reused cluster. productpage
 * answers 200 whatever its backends do.
 */
export function readinessPaths(deploymentsChanged: boolean): readonly string[] {
  return deploymentsChanged ? READINESS_PATHS : READINESS_PATHS.slice(0, 1);
}

/** How often a run asks its ingress whether it serves yet: quickly at first, then backing off to every 2 s. */
export const INGRESS_READY_PACE = { intervalMs: 100, backoff: 1.5, maxIntervalMs: 2_000 } as const;

export interface ReadinessOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Multiply the interval by this after each miss, up to maxIntervalMs. */
  backoff?: number;
  maxIntervalMs?: number;
  paths?: readonly string[];
  signal?: AbortSignal;
  /** What counts as ready: 200 unless given (a gateway serving only routes a plan adds later: any HTTP answer). */
  ready?: (status: number) => boolean;
}

/** Resolves once every path answers 200 through `baseUrl`; the timeout names what each last answered. */
export async function waitForHttpReady(baseUrl: string, opts: ReadinessOptions): Promise<void> {
  const paths = opts.paths ?? READINESS_PATHS;
  const ready = opts.ready ?? ((s: number) => s === 200);
  await poll({
    what: `${paths.join(' and ')} to answer ${opts.ready ? 'HTTP' : '200'} through ${baseUrl}`,
    intervalMs: opts.intervalMs ?? 1000,
    timeoutMs: opts.timeoutMs,
    backoff: opts.backoff || undefined,
    maxIntervalMs: opts.maxIntervalMs || undefined,
    signal: opts.signal,
    check: async () => {
      const seen: string[] = [];
      for (const p of paths) {
        const status = await httpStatus(`${baseUrl}${p}`);
        if (typeof status !== 'number' || !ready(status)) seen.push(`${p} → ${status}`);
      }
      return seen.length ? { done: false, observed: seen.join(', ') } : { done: true, value: undefined };
    },
  });
}

/** The HTTP status `url` answers with, or the error code when it does not answer. Never throws. */
export async function httpStatus(url: string, timeoutMs = 5000): Promise<string | number> {
  try {
    const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}
