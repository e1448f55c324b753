/**
 * One proxy's request path, evaluated from the route JSON it holds (compiled): Host → virtual
 * host, first matching route, fault filter (delay, then abort), redirect / direct response, or the
 * router: a weighted cluster drawn per request, the cluster's circuit breakers, endpoint choice
 * among the hosts outlier detection has not ejected, header operations, rewrites, and attempts
 * bounded by the route timeout with per-try timeouts and retries.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Random } from '../../core/random.js';
import type { CompiledAction, CompiledFault, CompiledRoute, WeightedTarget } from '../router/compile.js';
import { MatchInput } from '../router/match-input.js';
import type { ClusterDef } from '../translate/clusters.js';
import { AccessLog } from './access-log.js';
import { Attempts, type AttemptContext, type AttemptsResult } from './attempts.js';
import { LoadBalancer } from './load-balancer.js';
import { OutlierDetector } from './outlier.js';
import { ConnectionPools } from './pool.js';
import { applyRequestOps, applyResponseOps, localReply, responseHeaders } from './replies.js';
import type { ProxyRequest, ProxyResult, ProxySnapshot } from './types.js';
import type { Upstreams } from './upstreams.js';

export interface EngineOptions {
  role: 'sidecar' | 'gateway';
  random: Random;
  upstreams: Upstreams;
  snapshot: () => ProxySnapshot;
  accessLogSize?: number;
}

/** What the access log needs to know about one request, filled in as it goes. */
export interface RequestLog {
  flags: string[];
  details: string;
  cluster: string;
  upstreamHost: string;
  routeName: string;
  upstreamMs: number | null;
}

type RouteAction = Extract<CompiledAction, { kind: 'route' }>;

export class ProxyEngine {
  readonly log: AccessLog;
  private readonly lb: LoadBalancer;
  private readonly rnd: () => number;
  private readonly server: string;
  private readonly attempts: Attempts;
  private readonly outliers = new OutlierDetector();
  private readonly pools = new ConnectionPools();

  constructor(private readonly opts: EngineOptions) {
    const random = opts.random;
    this.rnd = () => random.next();
    this.lb = new LoadBalancer(this.rnd);
    this.log = new AccessLog(opts.accessLogSize);
    // Istio overwrites `server` with istio-envoy at gateways; a sidecar's outbound answers say envoy.
    this.server = opts.role === 'gateway' ? 'istio-envoy' : 'envoy';
    this.attempts = new Attempts(opts.upstreams, this.lb, this.rnd, this.server);
  }

  async handle(req: ProxyRequest): Promise<ProxyResult> {
    const startMs = Date.now();
    const t0 = performance.now();
    const log: RequestLog = { flags: [], details: '', cluster: '', upstreamHost: '', routeName: '', upstreamMs: null };
    // Envoy gives every request an id at the first proxy that sees it without one.
    if (!req.headers['x-request-id']) req.headers['x-request-id'] = randomUUID();
    const result = await this.route(req, log);
    if (result.kind !== 'passthrough') {
      const status = result.kind === 'response' ? result.response.status : 0;
      if (result.kind === 'cancelled') log.flags.push('DC');
      this.log.add({
        startMs,
        method: req.method,
        path: req.headers['x-envoy-original-path'] ?? req.path,
        status,
        flags: log.flags.join(','),
        details: log.details || (result.kind === 'cancelled' ? 'downstream_remote_disconnect' : ''),
        bytesIn: req.body?.length ?? 0,
        bytesOut: result.kind === 'response' ? result.response.body.length : 0,
        durationMs: performance.now() - t0,
        upstreamMs: log.upstreamMs,
        forwardedFor: req.headers['x-forwarded-for'] ?? '',
        userAgent: req.headers['user-agent'] ?? '',
        requestId: req.headers['x-request-id'] ?? '',
        authority: req.authority,
        upstreamHost: log.upstreamHost,
        cluster: log.cluster,
        routeName: log.routeName,
      });
    }
    return result;
  }

  private configName(port: number): string {
    return this.opts.role === 'gateway' ? `http.${port}` : String(port);
  }

  private async route(req: ProxyRequest, log: RequestLog): Promise<ProxyResult> {
    const snap = this.opts.snapshot();
    const rc = snap.compiled.get(this.configName(req.listenerPort));
    if (!rc && this.opts.role === 'sidecar') return { kind: 'passthrough' };
    const vhost = rc?.findVhost(req.authority);
    const input = new MatchInput(req);
    const route = vhost?.routes.find((r) => r.matches(input));
    if (!vhost || !route) return this.reply(log, 404, '', 'NR', 'route_not_found');
    log.routeName = route.name;
    if (route.fault) {
      const faulted = await this.fault(route.fault, req, log);
      if (faulted) return faulted;
    }
    const action = route.action;
    if (action.kind === 'redirect')
      return this.reply(log, action.status, '', '', 'direct_response', {
        location: redirectLocation(action, req, input, route),
      });
    if (action.kind === 'direct') return this.reply(log, action.status, action.body, '', 'direct_response');
    return this.forward(req, input, route, action, vhost.includeAttemptCount, snap.clusters, log);
  }

  /** Envoy's fault filter: an independent draw for the delay, then (after it) one for the abort. */
  private async fault(f: CompiledFault, req: ProxyRequest, log: RequestLog): Promise<ProxyResult | null> {
    if (f.delayFraction > 0 && this.rnd() < f.delayFraction) {
      log.flags.push('DI');
      try {
        await sleep(f.delayMs, undefined, req.signal ? { signal: req.signal } : undefined);
      } catch {
        return { kind: 'cancelled' };
      }
    }
    if (f.abortFraction > 0 && this.rnd() < f.abortFraction) {
      if (f.abortGrpcStatus !== undefined && isGrpc(req.headers)) {
        // Envoy's local reply to a gRPC request: trailers-only, the status in grpc-status.
        return this.reply(log, 200, '', 'FI', 'fault_filter_abort', {
          'content-type': 'application/grpc',
          'grpc-status': String(f.abortGrpcStatus),
          'grpc-message': 'fault filter abort',
        });
      }
      return this.reply(log, f.abortStatus, 'fault filter abort', 'FI', 'fault_filter_abort');
    }
    return null;
  }

  private async forward(
    req: ProxyRequest,
    input: MatchInput,
    route: CompiledRoute,
    action: RouteAction,
    attemptCount: boolean,
    clusters: Map<string, ClusterDef>,
    log: RequestLog,
  ): Promise<ProxyResult> {
    const target = this.pickTarget(action);
    if (!target) return this.reply(log, 503, '', 'NC', 'cluster_not_found');
    log.cluster = target.cluster;
    if (target.cluster === 'PassthroughCluster') return { kind: 'passthrough' };
    const cluster = clusters.get(target.cluster);
    if (!cluster) return this.reply(log, action.clusterNotFoundStatus, '', 'NC', 'cluster_not_found');
    const endpoints = this.outliers.available(cluster);
    if (!endpoints?.length) return this.reply(log, 503, 'no healthy upstream', 'UH', 'no_healthy_upstream');

    const headers: Record<string, string> = { ...req.headers };
    applyRequestOps(headers, target.headers);
    applyRequestOps(headers, route.headers);
    const path = rewrittenPath(action, route, input);
    if (path !== req.path) headers['x-envoy-original-path'] = req.path;
    headers.host = action.hostRewrite ?? req.authority;
    headers['x-forwarded-proto'] = 'http';

    for (const m of action.mirrors)
      if (m.fraction >= 1 || this.rnd() < m.fraction)
        this.mirror(m.cluster, req, path, headers, clusters, action.timeoutMs);

    const ctx: AttemptContext = {
      req,
      path,
      headers,
      endpoints,
      timeoutMs: action.timeoutMs,
      retry: action.retry,
      attemptCount,
      log,
    };
    const result = await this.send(cluster, ctx);
    if (result === 'overflow')
      return this.reply(
        log,
        503,
        'upstream connect error or disconnect/reset before headers. reset reason: overflow',
        'UO',
        'upstream_reset_before_response_started{overflow}',
      );
    if (result.kind === 'response' && result.proxied) {
      const h = responseHeaders(result.upstream.headers);
      applyResponseOps(h, target.headers);
      applyResponseOps(h, route.headers);
      h['x-envoy-upstream-service-time'] = String(Math.round(log.upstreamMs ?? 0));
      h.server = this.server;
      log.details = 'via_upstream';
      return { kind: 'response', response: { status: result.upstream.status, headers: h, body: result.upstream.body } };
    }
    return result.kind === 'response' ? { kind: 'response', response: result.local } : result;
  }

  /**
   * The attempts for one request, inside the cluster's circuit breakers and with its balancing and outlier detection.
   */
  private async send(cluster: ClusterDef, ctx: AttemptContext): Promise<AttemptsResult | 'overflow'> {
    // No await for a cluster without circuit breakers: most requests pay nothing.
    const release = cluster.pool ? await this.pools.acquire(cluster, ctx.req.signal) : noRelease;
    if (!release) return ctx.req.signal?.aborted ? { kind: 'cancelled' } : 'overflow';
    if (cluster.lb) ctx.lb = { policy: cluster.lb, cluster: cluster.name };
    if (cluster.outlier) ctx.onOutcome = (address, outcome) => this.outliers.record(cluster, address, outcome);
    try {
      return await this.attempts.run(ctx);
    } finally {
      release();
    }
  }

  /**
   * A copy of the request to the mirror cluster, sent and forgotten: no retry, bounded by the
   * route's timeout, its answer dropped. A cluster with no endpoints (an undefined subset) gets
   * nothing, and the caller never knows.
   */
  private mirror(
    clusterName: string,
    req: ProxyRequest,
    path: string,
    headers: Record<string, string>,
    clusters: Map<string, ClusterDef>,
    timeoutMs: number,
  ): void {
    const endpoints = clusters.get(clusterName)?.endpoints;
    if (!endpoints?.length) return;
    const { address } = this.lb.pick(endpoints, null, clusters.get(clusterName)?.lb, clusterName);
    this.lb.begin(address);
    const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    void this.opts.upstreams
      .send({ address, method: req.method, path, headers: { ...headers }, body: req.body, signal })
      .finally(() => this.lb.end(address));
  }

  /** A weighted cluster drawn per request; weights are read relative to their sum. */
  private pickTarget(action: RouteAction): WeightedTarget | undefined {
    const { targets, totalWeight } = action;
    if (targets.length <= 1) return targets[0];
    let r = this.rnd() * totalWeight;
    for (const t of targets) {
      r -= t.weight;
      if (r < 0) return t;
    }
    return targets[targets.length - 1];
  }

  private reply(
    log: RequestLog,
    status: number,
    body: string,
    flag: string,
    details: string,
    extra?: Record<string, string>,
  ): ProxyResult {
    if (flag) log.flags.push(flag);
    log.details = details;
    return { kind: 'response', response: localReply(status, body, this.server, extra) };
  }
}

function isGrpc(headers: Record<string, string>): boolean {
  return (headers['content-type'] ?? '').toLowerCase().startsWith('application/grpc');
}

/** `prefixRewrite` replaces what the route matched (the whole path for exact and regex matches); the query stays. */
function rewrittenPath(action: RouteAction, route: CompiledRoute, input: MatchInput): string {
  if (action.prefixRewrite !== undefined)
    return action.prefixRewrite + input.path.slice(route.matchedPrefixLength(input));
  if (action.regexRewrite) {
    const rewritten = action.regexRewrite.pattern.matcher(input.pathOnly).replaceAll(action.regexRewrite.substitution);
    return input.query ? `${rewritten}?${input.query}` : rewritten;
  }
  return input.path;
}

function redirectLocation(
  a: Extract<CompiledAction, { kind: 'redirect' }>,
  req: ProxyRequest,
  input: MatchInput,
  route: CompiledRoute,
): string {
  let host = a.host ?? req.authority;
  if (a.port) host = `${host.replace(/:\d+$/, '')}:${a.port}`;
  const path =
    a.prefixRewrite !== undefined
      ? a.prefixRewrite + input.path.slice(route.matchedPrefixLength(input))
      : a.path === undefined
        ? input.path
        : a.path.includes('?') || !input.query
          ? a.path
          : `${a.path}?${input.query}`;
  return `${a.scheme ?? 'http'}://${host}${path}`;
}

const noRelease = () => {};
