/**
 * Envoy's retry conditions, read from a route's `retryPolicy`. Which failures are retried:
 * - connect failure: `connect-failure`, `5xx`, `gateway-error`, `reset`
 * - reset after the request was sent, or a per-try timeout: `5xx`, `gateway-error`, `reset`
 * - an upstream status: `5xx` (any 5xx), `gateway-error` (502/503/504), `retriable-4xx` (409),
 *   `retriable-status-codes` (the listed codes), `unavailable`/`cancelled` (gRPC status 14/1)
 * Istio's default lists no status codes, so an upstream 503 is not retried.
 */
import { parseDuration } from '../envoy/proto-json.js';
import type { RetryPolicy } from '../envoy/types.js';

export type AttemptFailure = 'connect-failure' | 'reset' | 'per-try-timeout';

export interface CompiledRetry {
  numRetries: number;
  /** 0 = the route timeout bounds each try. */
  perTryTimeoutMs: number;
  avoidPreviousHosts: boolean;
  hostSelectionMaxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retryOnFailure(f: AttemptFailure): boolean;
  retryOnStatus(status: number, grpcStatus: string | undefined): boolean;
}

export function compileRetry(p: RetryPolicy): CompiledRetry {
  const on = new Set(
    (p.retryOn ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const codes = new Set(on.has('retriable-status-codes') ? (p.retriableStatusCodes ?? []) : []);
  const anyReset = on.has('5xx') || on.has('gateway-error') || on.has('reset');
  const base = p.retryBackOff?.baseInterval ? parseDuration(p.retryBackOff.baseInterval) : 25;
  return {
    numRetries: p.numRetries ?? 1,
    perTryTimeoutMs: p.perTryTimeout ? parseDuration(p.perTryTimeout) : 0,
    avoidPreviousHosts: (p.retryHostPredicate ?? []).some(
      (h) => h.name === 'envoy.retry_host_predicates.previous_hosts',
    ),
    hostSelectionMaxAttempts: Number(p.hostSelectionRetryMaxAttempts ?? 1),
    backoffBaseMs: base,
    backoffMaxMs: p.retryBackOff?.maxInterval ? parseDuration(p.retryBackOff.maxInterval) : base * 10,
    retryOnFailure: (f) => anyReset || (f === 'connect-failure' && on.has('connect-failure')),
    retryOnStatus(status, grpcStatus) {
      if (on.has('5xx') && status >= 500) return true;
      if (on.has('gateway-error') && (status === 502 || status === 503 || status === 504)) return true;
      if (on.has('retriable-4xx') && status === 409) return true;
      if (codes.has(status)) return true;
      if (grpcStatus === '14' && on.has('unavailable')) return true;
      if (grpcStatus === '1' && on.has('cancelled')) return true;
      return false;
    },
  };
}

/** Envoy's jittered exponential back-off before retry number `n` (1-based). */
export function backoffMs(retry: CompiledRetry, n: number, random: () => number): number {
  const ceiling = Math.min(retry.backoffBaseMs * 2 ** (n - 1), retry.backoffMaxMs);
  return random() * ceiling;
}
