/**
 * Envoy's part inside a pod of a real cluster, started by the real pilot-agent with the bootstrap
 * it wrote: an xDS client of istiod (through pilot-agent's socket), routing with what istiod sent
 * (the same XdsProxy as the kwok target), serving Envoy's admin port for pilot-agent's readiness
 * and `istioctl proxy-config`, and the listeners istio-iptables redirects to.
 *
 * Node cannot read a redirected connection's original destination (SO_ORIGINAL_DST), so outbound
 * traffic captured on 15001 is routed by its Host header (`reviews:9080` → the "9080" routes), and
 * inbound traffic on 15006 goes to the app's one declared port. Gateways bind the ports of the
 * listeners istiod sends them.
 */
import { Ingress } from '../ingress.js';
import { Upstreams } from '../proxy/upstreams.js';
import { seededRandom } from '../../core/random.js';
import { AdsClient } from '../xds/ads-client.js';
import type { XdsTypes } from '../xds/descriptors.js';
import type { NodeJson } from '../xds/node-identity.js';
import { AdminServer } from '../xds-proxy/admin-server.js';
import { XdsProxy } from '../xds-proxy/xds-proxy.js';
import type { Bootstrap } from './bootstrap.js';
import { Forwarder, INBOUND_SOURCE } from './forwarder.js';

export const OUTBOUND_PORT = 15001;
export const INBOUND_PORT = 15006;

export interface InPodProxyOptions {
  bootstrap: Bootstrap;
  /** The bootstrap file as read, for `/config_dump`. */
  raw: object;
  types: XdsTypes;
  seed: number;
  onQuit: () => void;
  log: (line: string) => void;
}

export class InPodProxy {
  private readonly proxy: XdsProxy;
  private readonly feed: AdsClient;
  private readonly admin: AdminServer;
  private readonly forwarders: Forwarder[] = [];
  private readonly listeners = new Map<number, Ingress>();
  private readonly upstreams = new Upstreams();
  private workersStarted = false;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly o: InPodProxyOptions) {
    const b = o.bootstrap;
    const meta = (b.node.metadata ?? {}) as { NAME?: string; NAMESPACE?: string; LABELS?: Record<string, string> };
    let feed: AdsClient | undefined;
    this.proxy = new XdsProxy(
      { pod: meta.NAME ?? b.podIp, namespace: meta.NAMESPACE ?? '', labels: meta.LABELS ?? {}, role: b.role },
      {
        connect: (onUpdate) =>
          (feed = new AdsClient({
            address: `unix://${b.xdsSocket}`,
            node: b.node as unknown as NodeJson,
            types: o.types,
            onUpdate: () => {
              onUpdate();
              this.syncGatewayListeners();
            },
            log: o.log,
          })),
        // The pod network is real: an endpoint is reached at its own address.
        resolve: (ip, port) => ({ pod: ip, namespace: '', labels: {}, address: `${ip}:${port}` }),
        random: seededRandom(o.seed),
        upstreams: this.upstreams,
      },
    );
    this.feed = feed!;
    this.admin = new AdminServer(
      { node: b.node, bootstrap: o.raw, resources: () => this.proxy.resources() },
      { port: b.adminPort, stats: () => this.stats(), onQuit: o.onQuit },
    );
  }

  async start(): Promise<void> {
    const b = this.o.bootstrap;
    await this.admin.start();
    for (const f of b.forwards) await this.addForwarder(f.port, f.to);
    if (b.role === 'sidecar') {
      const out = new Ingress(this.proxy, authorityPort, OUTBOUND_PORT, '0.0.0.0');
      await out.start();
      this.listeners.set(OUTBOUND_PORT, out);
      const appPort = b.podPorts[0];
      if (appPort) await this.addForwarder(INBOUND_PORT, { host: '127.0.0.1', port: appPort }, INBOUND_SOURCE);
      if (b.podPorts.length > 1)
        this.o.log(`the app declares ports ${b.podPorts.join(', ')}: inbound traffic goes to ${appPort} only`);
    }
    this.workersStarted = true;
    this.proxy.start();
  }

  async stop(): Promise<void> {
    await this.proxy.close();
    await this.syncing;
    for (const l of this.listeners.values()) await l.stop();
    for (const f of this.forwarders) await f.stop();
    await this.admin.stop();
    await this.upstreams.close();
  }

  /** The counters pilot-agent's readiness probe and Prometheus read. */
  private stats(): Record<string, number> {
    const a = this.feed.stats.accepted;
    return {
      'server.state': 0,
      'listener_manager.workers_started': this.workersStarted ? 1 : 0,
      'cluster_manager.cds.update_success': a.cluster ?? 0,
      'cluster_manager.cds.update_rejected': 0,
      'listener_manager.lds.update_success': a.listener ?? 0,
      'listener_manager.lds.update_rejected': 0,
      'control_plane.connected_state': this.feed.stats.connected ? 1 : 0,
    };
  }

  private async addForwarder(port: number, to: { host: string; port: number }, localAddress?: string): Promise<void> {
    const f = new Forwarder({ port, to, ...(localAddress ? { localAddress } : {}) });
    await f.start();
    this.forwarders.push(f);
  }

  /** A gateway listens on each port istiod sends a listener for, and stops listening on ports it no longer does. */
  private syncGatewayListeners(): void {
    if (this.o.bootstrap.role !== 'gateway') return;
    this.syncing = this.syncing.then(async () => {
      const want = new Set<number>();
      for (const l of this.proxy.resources().listeners.values()) {
        const port = Number(l.address?.socketAddress?.portValue);
        if (Number.isInteger(port) && port > 0 && l.bindToPort !== false) want.add(port);
      }
      for (const [port, l] of this.listeners)
        if (!want.has(port)) {
          this.listeners.delete(port);
          await l.stop();
        }
      for (const port of want) {
        if (this.listeners.has(port)) continue;
        const l = new Ingress(this.proxy, port, port, '0.0.0.0');
        try {
          await l.start();
          this.listeners.set(port, l);
        } catch (err) {
          this.o.log(`cannot listen on ${port} for istiod's listener: ${(err as Error).message}`);
        }
      }
    });
  }
}

/** The port of a Host header (`reviews:9080` → 9080); 80 without one, as an HTTP client means. */
export function authorityPort(authority: string): number {
  const m = /:(\d+)$/.exec(authority);
  return m ? Number(m[1]) : 80;
}
