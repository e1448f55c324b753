/**
 * HTTP readiness through the ingress gateway. Bookinfo has no readiness probes, so a Ready pod may
 * not serve yet (the reviews JVM starts slowly): poll the pages the plans use until they answer 200.
 */
import { request } from 'undici';
import { poll } from '../core/wait.js';

export const READINESS_PATHS = ['/productpage', '/api/v1/products/0/reviews'] as const;

export interface ReadinessOptions {
  timeoutMs: number;
  intervalMs?: number;
  paths?: readonly string[];
  signal?: AbortSignal;
}

export async function waitForHttpReady(baseUrl: string, opts: ReadinessOptions): Promise<void> {
  const paths = opts.paths ?? READINESS_PATHS;
  await poll({
    what: `${paths.join(' and ')} to answer 200 through ${baseUrl}`,
    intervalMs: opts.intervalMs ?? 1000,
    timeoutMs: opts.timeoutMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
    check: async () => {
      const seen: string[] = [];
      for (const p of paths) {
        const status = await statusOf(`${baseUrl}${p}`);
        if (status !== 200) seen.push(`${p} → ${status}`);
      }
      return seen.length ? { done: false, observed: seen.join(', ') } : { done: true, value: undefined };
    },
  });
}

async function statusOf(url: string): Promise<string | number> {
  try {
    const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}
