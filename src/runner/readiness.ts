/**
 * Before the first step: wait until the ingress serves Bookinfo. Connection refusals and 5xx are
 * expected for a while after `up` (a gateway starting, pods without readiness probes), so this
 * waits with backoff and a deadline instead of failing on the first miss.
 */
import { poll } from '../core/wait.js';
import type { IngressClient } from '../traffic/client.js';

export async function waitForIngress(client: IngressClient, opts: { timeoutMs: number; signal: AbortSignal; url: string }): Promise<void> {
  await poll({
    what: `the ingress at ${opts.url} to serve /productpage`,
    intervalMs: 100,
    backoff: 1.5,
    maxIntervalMs: 2_000,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    check: async () => {
      const a = await client.send('/productpage');
      return a.status === 200 ? { done: true, value: undefined } : { done: false, observed: a.status === null ? `${a.error}` : `HTTP ${a.status}` };
    },
  });
}
