/**
 * A proxy configured by istiod over xDS: it holds exactly the listeners, routes, clusters and
 * endpoints istiod last sent (through its ADS feed) and routes with the same engine as the local
 * mesh, compiled from istiod's RouteConfigurations instead of the local translation. Endpoints are
 * pod IPs; the rehearsal's pod network maps each to the loopback address its stand-in listens on.
 */
import type { Clock } from '../../core/clock.js';
import { realClock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { RouteConfiguration } from '../envoy/types.js';
import { ProxyEngine } from '../proxy/engine.js';
import type { ProxyIdentity } from '../proxy/proxy.js';
import type { ProxyHandler, ProxyRequest, ProxyResult, ProxySnapshot } from '../proxy/types.js';
import type { Upstreams } from '../proxy/upstreams.js';
import { compileRouteConfig, type CompiledRouteConfig } from '../router/compile.js';
import type { ClusterDef } from '../translate/clusters.js';
import { clusterDefsFromXds, type EndpointResolver } from './clusters-from-xds.js';
import { checkListeners } from './listener-fields.js';
import { countUnsupportedRouteFields } from './route-fields.js';
import { Tally } from './tally.js';

type Json = Record<string, any>;

/** What an xDS feed holds (src/mesh/xds/ads-client.ts): resources by name in protobuf JSON. */
export interface XdsResources {
  listeners: Map<string, Json>;
  routes: Map<string, Json>;
  clusters: Map<string, Json>;
  endpoints: Map<string, Json>;
  versions: Record<string, string>;
  receivedAt: Record<string, number>;
  unknownTypes: Map<string, number>;
}

export interface XdsFeed {
  start(): void;
  close(): Promise<void>;
  snapshot(): XdsResources;
}

export interface XdsProxyOptions {
  /** Opens the proxy's feed; it calls `onUpdate` after each accepted response. */
  connect: (onUpdate: () => void) => XdsFeed;
  resolve: EndpointResolver;
  random: Random;
  upstreams: Upstreams;
  clock?: Clock;
  accessLogSize?: number;
}

export class XdsProxy implements ProxyHandler {
  readonly engine: ProxyEngine;
  private readonly feed: XdsFeed;
  private readonly clock: Clock;
  private snap: ProxySnapshot = { version: 0, routes: [], compiled: new Map(), clusters: new Map() };
  private routesKey = '';
  private unsupportedNow = new Tally();
  /** When the route configurations changed (ms since epoch), newest last. */
  readonly received: { version: number; at: number }[] = [];

  constructor(
    readonly identity: ProxyIdentity,
    private readonly opts: XdsProxyOptions,
  ) {
    this.clock = opts.clock ?? realClock;
    this.engine = new ProxyEngine({
      role: identity.role,
      random: opts.random,
      upstreams: opts.upstreams,
      snapshot: () => this.snap,
      accessLogSize: opts.accessLogSize,
    });
    this.feed = opts.connect(() => this.rebuild());
  }

  start(): void {
    this.feed.start();
  }

  close(): Promise<void> {
    return this.feed.close();
  }

  get version(): number {
    return this.snap.version;
  }

  /** The feed's resources as last accepted, for the admin endpoint. */
  resources(): XdsResources {
    return this.feed.snapshot();
  }

  /** The route configurations this proxy routes with, as `istioctl proxy-config routes -o json` prints them. */
  routes(): RouteConfiguration[] {
    return structuredClone(this.snap.routes);
  }

  /** The outbound clusters this proxy routes to, read from istiod's Clusters and ClusterLoadAssignments. */
  clusters(): Map<string, ClusterDef> {
    return structuredClone(this.snap.clusters);
  }

  /** What this proxy's current config holds that the engine does not act on, with counts. */
  unsupported(): [string, number][] {
    const out = new Tally();
    for (const [k, n] of this.unsupportedNow.entries()) out.add(k, n);
    for (const [url, n] of this.feed.snapshot().unknownTypes) out.add(`unknown type ${url}`, n);
    return out.entries();
  }

  handle(req: ProxyRequest): Promise<ProxyResult> {
    return this.engine.handle(req);
  }

  /**
   * Rebuilds the routing snapshot from the feed; also called when the pod network changes (endpoints resolve
   * differently).
   */
  rebuild(): void {
    const r = this.feed.snapshot();
    const tally = new Tally();
    const routes = [...r.routes.values()].sort((a, b) =>
      String(a.name).localeCompare(String(b.name)),
    ) as RouteConfiguration[];
    const compiled = new Map<string, CompiledRouteConfig>();
    for (const rc of routes) {
      countUnsupportedRouteFields(rc as unknown as Json, tally);
      try {
        compiled.set(rc.name ?? '', compileRouteConfig(rc));
      } catch (err) {
        tally.add(`route configuration ${rc.name ?? ''} does not compile: ${(err as Error).message}`);
      }
    }
    checkListeners(r.listeners, this.identity.role, tally);
    const clusters = clusterDefsFromXds(r.clusters, r.endpoints, this.opts.resolve, tally);
    const key = JSON.stringify(routes);
    const version = this.snap.version + 1;
    this.snap = { version, routes, compiled, clusters };
    this.unsupportedNow = tally;
    if (key !== this.routesKey) {
      this.routesKey = key;
      this.received.push({ version, at: this.clock.now() });
      if (this.received.length > 50) this.received.shift();
    }
  }
}
