/**
 * Envoy's router attempts for one request: pick an endpoint (avoiding hosts already tried when the
 * retry policy says so), send, and decide on the outcome — retry after a jittered back-off, or
 * answer. The route timeout spans every attempt and back-off (504 "upstream request timeout" on
 * expiry, never retried); a per-try timeout ends one attempt and is retried only on
 * 5xx/gateway-error/reset conditions.
 */
import { backoffMs, type AttemptFailure, type CompiledRetry } from '../router/retry-policy.js';
import type { Endpoint } from '../translate/model.js';
import type { RequestLog } from './engine.js';
import type { LoadBalancer } from './load-balancer.js';
import type { LbPolicy } from '../translate/clusters.js';
import { outcomeOfStatus, type HostOutcome } from './outlier.js';
import { localReply } from './replies.js';
import type { ProxyRequest, ProxyResponse } from './types.js';
import type { UpstreamResponse, Upstreams } from './upstreams.js';

export interface AttemptContext {
  req: ProxyRequest;
  path: string;
  headers: Record<string, string>;
  endpoints: readonly Endpoint[];
  timeoutMs: number;
  retry: CompiledRetry | null;
  attemptCount: boolean;
  log: RequestLog;
  /** How the cluster balances, and its name (the round-robin turn is per cluster). */
  lb?: { policy: LbPolicy; cluster: string };
  /** Hears each attempt's outcome per host, for outlier detection; absent when the cluster has none. */
  onOutcome?: (address: string, outcome: HostOutcome) => void;
}

export type AttemptsResult =
  | { kind: 'response'; proxied: true; upstream: UpstreamResponse }
  | { kind: 'response'; proxied: false; local: ProxyResponse }
  | { kind: 'cancelled' };

const CONNECT_ERROR = 'remote connection failure, transport failure reason: delayed connect error: Connection refused';
const RESET_ERROR = 'connection termination';

/** Cancellation state shared by the timers and the attempt in flight. */
class RequestClock {
  timedOut = false;
  cancelled = false;
  private current: AbortController | null = null;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly onCancel = () => {
    this.cancelled = true;
    this.interrupt();
  };

  constructor(
    timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.interrupt();
      }, timeoutMs);
    }
    signal?.addEventListener('abort', this.onCancel, { once: true });
    if (signal?.aborted) this.cancelled = true;
  }

  get stopped(): boolean {
    return this.timedOut || this.cancelled;
  }

  /**
   * The signal for one attempt. Without timers to enforce, the downstream's own signal serves, so
   * the common case (no timeout, no per-try timeout) allocates nothing per attempt.
   */
  attempt(perTryMs: number, onPerTryTimeout: () => void): { signal: AbortSignal | undefined; done: () => void } {
    if (!this.timer && perTryMs <= 0) return { signal: this.signal, done: noop };
    const ctl = new AbortController();
    this.current = ctl;
    const t = perTryMs > 0 ? setTimeout(() => (onPerTryTimeout(), ctl.abort()), perTryMs) : undefined;
    return {
      signal: ctl.signal,
      done: () => {
        clearTimeout(t);
        this.current = null;
      },
    };
  }

  /** Waits `ms` unless the request times out or is cancelled first. */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onCancel);
  }

  private interrupt(): void {
    this.current?.abort();
    this.wake?.();
  }
}

export class Attempts {
  constructor(
    private readonly upstreams: Upstreams,
    private readonly lb: LoadBalancer,
    private readonly rnd: () => number,
    private readonly server: string,
  ) {}

  async run(ctx: AttemptContext): Promise<AttemptsResult> {
    const clock = new RequestClock(ctx.timeoutMs, ctx.req.signal);
    try {
      return await this.loop(ctx, clock);
    } finally {
      clock.dispose();
    }
  }

  private async loop(ctx: AttemptContext, clock: RequestClock): Promise<AttemptsResult> {
    const { retry, log } = ctx;
    const tried = retry?.avoidPreviousHosts ? new Set<string>() : null;
    let retries = 0;
    for (;;) {
      if (clock.cancelled) return { kind: 'cancelled' };
      const ep = this.lb.pick(ctx.endpoints, tried, ctx.lb?.policy, ctx.lb?.cluster);
      tried?.add(ep.address);
      log.upstreamHost = ep.address;
      if (ctx.attemptCount) ctx.headers['x-envoy-attempt-count'] = String(retries + 1);
      const outcome = await this.once(ctx, ep, clock);
      if (clock.cancelled) return { kind: 'cancelled' };
      if (clock.timedOut) return this.local(log, 504, 'upstream request timeout', 'UT', 'response_timeout');
      const decision = decide(outcome, retry, retries);
      if (decision.retry) {
        retries++;
        await clock.pause(backoffMs(retry!, retries, this.rnd));
        if (clock.cancelled) return { kind: 'cancelled' };
        if (clock.timedOut) return this.local(log, 504, 'upstream request timeout', 'UT', 'response_timeout');
        continue;
      }
      if (retries > 0 && decision.retriable) log.flags.push('URX');
      if (outcome.kind === 'response') return { kind: 'response', proxied: true, upstream: outcome.response };
      return this.failed(outcome.failure, retries > 0, log);
    }
  }

  private async once(ctx: AttemptContext, ep: Endpoint, clock: RequestClock): Promise<AttemptOutcome> {
    let tryTimedOut = false;
    const attempt = clock.attempt(ctx.retry?.perTryTimeoutMs ?? 0, () => (tryTimedOut = true));
    const t0 = performance.now();
    this.lb.begin(ep.address);
    try {
      const res = await this.upstreams.send({
        address: ep.address,
        method: ctx.req.method,
        path: ctx.path,
        headers: ctx.headers,
        body: ctx.req.body,
        signal: attempt.signal,
      });
      if (res.ok) {
        ctx.onOutcome?.(ep.address, outcomeOfStatus(res.response.status));
        return { kind: 'response', response: res.response };
      }
      // A request the downstream gave up on, or that ran out of route time, says nothing about the host.
      if (!clock.stopped) ctx.onOutcome?.(ep.address, 'gateway-error');
      if (res.failure === 'aborted') return { kind: 'failure', failure: tryTimedOut ? 'per-try-timeout' : 'reset' };
      return { kind: 'failure', failure: res.failure };
    } finally {
      this.lb.end(ep.address);
      attempt.done();
      ctx.log.upstreamMs = performance.now() - t0;
    }
  }

  private failed(failure: AttemptFailure, retried: boolean, log: RequestLog): AttemptsResult {
    if (failure === 'per-try-timeout')
      return this.local(log, 504, 'upstream request timeout', 'UT', 'upstream_per_try_timeout');
    const reason = failure === 'connect-failure' ? CONNECT_ERROR : RESET_ERROR;
    const body =
      'upstream connect error or disconnect/reset before headers. ' +
      `${retried ? 'retried and the latest ' : ''}reset reason: ${reason}`;
    const flag = failure === 'connect-failure' ? 'UF' : 'UC';
    return this.local(
      log,
      503,
      body,
      flag,
      failure === 'connect-failure'
        ? 'upstream_reset_before_response_started{remote_connection_failure}'
        : 'upstream_reset_before_response_started{connection_termination}',
    );
  }

  private local(log: RequestLog, status: number, body: string, flag: string, details: string): AttemptsResult {
    log.flags.unshift(flag);
    log.details = details;
    return { kind: 'response', proxied: false, local: localReply(status, body, this.server) };
  }
}

const noop = () => {};

type AttemptOutcome = { kind: 'response'; response: UpstreamResponse } | { kind: 'failure'; failure: AttemptFailure };

/** Whether this outcome is one the policy retries, and whether a retry is left. */
function decide(
  outcome: AttemptOutcome,
  retry: CompiledRetry | null,
  retries: number,
): { retriable: boolean; retry: boolean } {
  if (!retry) return { retriable: false, retry: false };
  const retriable =
    outcome.kind === 'response'
      ? retry.retryOnStatus(outcome.response.status, grpcStatus(outcome.response.headers['grpc-status']))
      : retry.retryOnFailure(outcome.failure);
  return { retriable, retry: retriable && retries < retry.numRetries };
}

function grpcStatus(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
