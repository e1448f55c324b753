/**
 * An Aggregated Discovery Service client that behaves as Envoy's state-of-the-world ADS does
 * towards istiod: one gRPC stream, clusters and listeners subscribed by wildcard, endpoints for the
 * EDS clusters and route configurations for the RDS names the listeners carry, every response
 * ACKed with its version and nonce, or NACKed (previous version, error detail) when a resource
 * cannot be decoded. The stream is reopened after it ends, with the accepted versions.
 *
 * gRPC is @grpc/grpc-js; protobuf decoding and the canonical JSON are protobuf-es with istiod's own
 * descriptors (descriptors.ts). Resources are kept in that JSON, as `istioctl proxy-config` prints.
 */
import * as grpc from '@grpc/grpc-js';
import { fromBinary, fromJson, toBinary, toJson, type JsonObject, type Message } from '@bufbuild/protobuf';
import type { XdsFeed, XdsResources } from '../xds-proxy/xds-proxy.js';
import { TYPES } from '../xds-proxy/admin-server.js';
import type { XdsTypes } from './descriptors.js';
import type { NodeJson } from './node-identity.js';
import { edsNames, rdsNames } from './subscriptions.js';

type Json = Record<string, any>;
type Kind = keyof typeof TYPES;

const METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const KIND_BY_URL = new Map<string, Kind>(Object.entries(TYPES).map(([k, url]) => [url, k as Kind]));
/** Envoy's order of subscription; CDS and LDS are wildcard. */
const WILDCARD: Kind[] = ['cluster', 'listener'];
/** google.rpc.Code INVALID_ARGUMENT, what Envoy puts in a NACK's error detail. */
const INVALID_ARGUMENT = 3;

export interface AdsClientOptions {
  /** istiod's plaintext xDS address, host:port. */
  address: string;
  node: NodeJson;
  types: XdsTypes;
  /** Called after each accepted response. */
  onUpdate: () => void;
  log?: (line: string) => void;
  /** Wait before reopening a stream that ended; doubles up to 5 s. */
  retryMs?: number;
}

interface TypeState {
  resources: Map<string, Json>;
  /** Subscribed names; null is the wildcard. */
  names: string[] | null;
  version: string;
  nonce: string;
  receivedAt: number;
}

export interface AdsStats {
  connected: boolean;
  acks: number;
  nacks: number;
  lastNack: string | null;
  streams: number;
  /** Accepted responses by kind (cluster, listener, route, endpoint): Envoy's `update_success` counters. */
  accepted: Record<string, number>;
}

export class AdsClient implements XdsFeed {
  readonly node: NodeJson;
  private readonly client: grpc.Client;
  private call: grpc.ClientDuplexStream<Json, Message> | null = null;
  private readonly state = new Map<Kind, TypeState>();
  private readonly unknownTypes = new Map<string, number>();
  private closed = false;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  readonly stats: AdsStats = { connected: false, acks: 0, nacks: 0, lastNack: null, streams: 0, accepted: {} };

  constructor(private readonly o: AdsClientOptions) {
    this.node = o.node;
    this.retryMs = o.retryMs ?? 200;
    this.client = new grpc.Client(o.address, grpc.credentials.createInsecure());
    for (const k of Object.keys(TYPES) as Kind[])
      this.state.set(k, {
        resources: new Map(),
        names: WILDCARD.includes(k) ? null : [],
        version: '',
        nonce: '',
        receivedAt: 0,
      });
  }

  start(): void {
    if (this.call || this.closed) return;
    const t = this.o.types;
    const call = this.client.makeBidiStreamRequest<Json, Message>(
      METHOD,
      (req) => Buffer.from(toBinary(t.request, fromJson(t.request, req as JsonObject, { registry: t.registry }))),
      (buf) => fromBinary(t.response, buf),
    );
    this.call = call;
    this.stats.streams++;
    call.on('data', (resp: Message) => {
      this.stats.connected = true;
      this.retryMs = this.o.retryMs ?? 200;
      this.onResponse(resp);
    });
    call.on('error', (err: grpc.ServiceError) =>
      this.ended(
        call,
        `${err.code === grpc.status.UNAVAILABLE ? 'istiod unavailable' : 'stream error'}: ` +
          `${err.details || err.message}`,
      ),
    );
    call.on('end', () => this.ended(call, 'stream ended by istiod'));
    // On a new stream Envoy sends what it holds: the accepted version, no nonce.
    for (const k of ['cluster', 'listener', 'endpoint', 'route'] as Kind[]) {
      const s = this.state.get(k)!;
      if (s.names === null || s.names.length) this.send(k, { versionInfo: s.version });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.call = null;
    this.client.close();
  }

  snapshot(): XdsResources {
    const pick = (k: Kind) => this.state.get(k)!;
    const versions: Record<string, string> = {};
    const receivedAt: Record<string, number> = {};
    for (const [k, s] of this.state) {
      versions[TYPES[k]] = s.version;
      receivedAt[TYPES[k]] = s.receivedAt;
    }
    return {
      listeners: pick('listener').resources,
      routes: pick('route').resources,
      clusters: pick('cluster').resources,
      endpoints: pick('endpoint').resources,
      versions,
      receivedAt,
      unknownTypes: this.unknownTypes,
    };
  }

  private ended(call: grpc.ClientDuplexStream<Json, Message>, why: string): void {
    if (this.call !== call) return;
    this.call = null;
    this.stats.connected = false;
    if (this.closed) return;
    this.o.log?.(`${why}; reconnecting in ${this.retryMs} ms`);
    this.retryTimer = setTimeout(() => this.start(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 5000);
  }

  private send(kind: Kind, fields: { versionInfo?: string; responseNonce?: string; errorDetail?: Json }): void {
    const s = this.state.get(kind)!;
    this.call?.write({ node: this.node, typeUrl: TYPES[kind], resourceNames: s.names ?? [], ...fields });
  }

  private onResponse(raw: Message): void {
    const head = raw as unknown as { typeUrl: string; versionInfo: string; nonce: string };
    const url = head.typeUrl;
    const kind = KIND_BY_URL.get(url);
    if (!kind) {
      // Not subscribed, so not expected; counted (the proxy reports it) and left unanswered.
      this.unknownTypes.set(url, (this.unknownTypes.get(url) ?? 0) + 1);
      return;
    }
    const s = this.state.get(kind)!;
    let decoded: Map<string, Json>;
    try {
      const t = this.o.types;
      decoded = decodeResources(kind, toJson(t.response, raw, { registry: t.registry }) as Json);
    } catch (err) {
      const message = `${kind} response ${head.versionInfo} rejected: ${(err as Error).message}`;
      this.stats.nacks++;
      this.stats.lastNack = message;
      this.o.log?.(message);
      this.send(kind, {
        versionInfo: s.version,
        responseNonce: head.nonce,
        errorDetail: { code: INVALID_ARGUMENT, message },
      });
      return;
    }
    if (s.names === null) s.resources = decoded;
    else {
      const keep = new Map<string, Json>();
      for (const n of s.names) {
        const r = decoded.get(n) ?? s.resources.get(n);
        if (r) keep.set(n, r);
      }
      s.resources = keep;
    }
    s.version = head.versionInfo;
    s.nonce = head.nonce;
    s.receivedAt = Date.now();
    this.stats.acks++;
    this.stats.accepted[kind] = (this.stats.accepted[kind] ?? 0) + 1;
    this.send(kind, { versionInfo: s.version, responseNonce: s.nonce });
    if (kind === 'cluster') this.resubscribe('endpoint', edsNames(s.resources));
    if (kind === 'listener') this.resubscribe('route', rdsNames(s.resources));
    this.o.onUpdate();
  }

  /** Changes a named subscription as Envoy does: a request with the last nonce and the new names. */
  private resubscribe(kind: Kind, names: string[]): void {
    const s = this.state.get(kind)!;
    if (s.names && same(s.names, names)) return;
    s.names = names;
    for (const n of [...s.resources.keys()]) if (!names.includes(n)) s.resources.delete(n);
    this.send(kind, { versionInfo: s.version, responseNonce: s.nonce });
  }
}

/** A response's resources by name, their `@type` checked and dropped. */
function decodeResources(kind: Kind, resp: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const r of (resp.resources ?? []) as Json[]) {
    const { '@type': type, ...body } = r;
    if (type !== TYPES[kind]) throw new Error(`a resource of type ${String(type)} in a ${TYPES[kind]} response`);
    const name = kind === 'endpoint' ? body.clusterName : body.name;
    if (typeof name !== 'string' || !name) throw new Error(`a ${kind} without a name`);
    out.set(name, body);
  }
  return out;
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
