/**
 * One proxy of the local mesh (a pod's sidecar or the ingress gateway): what it holds now, what
 * is on its way to it, and its request engine. Config arrives after the proxy's own delay; until
 * then it keeps routing with what it has, as an Envoy does between pushes.
 */
import type { Clock, ClockTimer } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { RouteConfiguration } from '../envoy/types.js';
import { ProxyEngine } from './engine.js';
import type { ProxyRequest, ProxyResult, ProxySnapshot } from './types.js';
import type { Upstreams } from './upstreams.js';

export interface ProxyIdentity {
  pod: string;
  namespace: string;
  labels: Record<string, string>;
  role: 'sidecar' | 'gateway';
}

export interface ProxyOptions {
  random: Random;
  upstreams: Upstreams;
  initial: ProxySnapshot;
  initialKey: string;
  accessLogSize?: number;
  /** Schedules config deliveries and stamps their arrival. */
  clock: Clock;
}

export class MeshProxy {
  readonly engine: ProxyEngine;
  private snapshot: ProxySnapshot;
  private readonly timers = new Set<ClockTimer>();
  private readonly clock: Clock;
  /** Key of the newest config sent to this proxy (delivered or not), to skip pushes that change nothing. */
  latestKey: string;
  /** When each version arrived (ms since epoch). */
  readonly received: { version: number; at: number }[] = [];

  constructor(
    readonly identity: ProxyIdentity,
    opts: ProxyOptions,
  ) {
    this.snapshot = opts.initial;
    this.latestKey = opts.initialKey;
    this.clock = opts.clock;
    this.received.push({ version: opts.initial.version, at: this.clock.now() });
    this.engine = new ProxyEngine({
      role: identity.role,
      random: opts.random,
      upstreams: opts.upstreams,
      snapshot: () => this.snapshot,
      accessLogSize: opts.accessLogSize,
    });
  }

  get version(): number {
    return this.snapshot.version;
  }

  /** Pushes still on their way to this proxy. */
  get pending(): number {
    return this.timers.size;
  }

  /** The route configurations this proxy holds, as `istioctl proxy-config routes -o json` shows them. */
  routes(): RouteConfiguration[] {
    return structuredClone(this.snapshot.routes);
  }

  current(): ProxySnapshot {
    return this.snapshot;
  }

  handle(req: ProxyRequest): Promise<ProxyResult> {
    return this.engine.handle(req);
  }

  /** Delivers `snap` after `delayMs` (at once when 0). An older version never replaces a newer one. */
  schedule(snap: ProxySnapshot, key: string, delayMs: number, onDelivered: () => void): void {
    this.latestKey = key;
    if (delayMs <= 0) {
      this.deliver(snap);
      onDelivered();
      return;
    }
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.deliver(snap);
      onDelivered();
    }, delayMs);
    this.timers.add(timer);
  }

  cancelPending(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private deliver(snap: ProxySnapshot): void {
    if (snap.version <= this.snapshot.version) return;
    this.snapshot = snap;
    this.received.push({ version: snap.version, at: this.clock.now() });
    if (this.received.length > 50) this.received.shift();
  }
}
