/**
 * The ADS client against an in-process gRPC server speaking istiod's side of the protocol, with
 * the descriptors the control plane build writes: subscriptions in Envoy's order, ACK and NACK
 * exactly as Envoy sends them, reconnects with the accepted versions.
 */
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, fromJson, toBinary, toJson, type JsonObject, type Message } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { afterEach, describe, expect, it } from 'vitest';
import { paths } from '../../core/paths.js';
import { binary, XDS_DESCRIPTORS_FILE } from '../../targets/kwok/control-plane/binaries.js';
import { TYPES } from '../xds-proxy/admin-server.js';
import { AdsClient } from './ads-client.js';
import { xdsTypes, type XdsTypes } from './descriptors.js';
import { sidecarNode } from './node-identity.js';

const DESCRIPTORS = binary(paths.cache, XDS_DESCRIPTORS_FILE);
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
type Json = Record<string, any>;

/** istiod's end of the stream: records every request, lets the test answer. */
class FakeIstiod {
  readonly requests: Json[] = [];
  private server = new grpc.Server();
  private calls: grpc.ServerDuplexStream<Message, Message>[] = [];
  private waiters: (() => void)[] = [];
  port = 0;

  constructor(private readonly t: XdsTypes) {}

  async start(): Promise<void> {
    const t = this.t;
    const method = {
      path: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
      requestStream: true,
      responseStream: true,
      requestSerialize: (m: Message) => Buffer.from(toBinary(t.request, m)),
      requestDeserialize: (b: Buffer) => fromBinary(t.request, b),
      responseSerialize: (m: Message) => Buffer.from(toBinary(t.response, m)),
      responseDeserialize: (b: Buffer) => fromBinary(t.response, b),
    };
    this.server.addService({ StreamAggregatedResources: method } as grpc.ServiceDefinition, {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<Message, Message>) => {
        this.calls.push(call);
        call.on('data', (m: Message) => {
          this.requests.push(toJson(t.request, m, { registry: t.registry }) as Json);
          for (const w of this.waiters.splice(0)) w();
        });
        call.on('error', () => undefined);
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
  }

  respond(json: Json, extra?: (m: Message) => void): void {
    const m = fromJson(this.t.response, json as JsonObject, { registry: this.t.registry });
    extra?.(m);
    this.calls.at(-1)!.write(m);
  }

  /** Ends the current stream from the server's side, as istiod does at its max connection age. */
  endStream(): void {
    this.calls.at(-1)!.end();
  }

  async until(pred: (reqs: Json[]) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!pred(this.requests)) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; requests: ` +
            `${JSON.stringify(this.requests.map((r) => [r.typeUrl, r.versionInfo, r.responseNonce, r.resourceNames]))}`,
        );
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

const pod = {
  ip: '10.244.0.7',
  pod: 'reviews-v1-7f9d-abcde',
  namespace: 'default',
  labels: { app: 'reviews', version: 'v1', 'pod-template-hash': '7f9d' },
  serviceAccount: 'bookinfo-reviews',
};
const cds = (version: string, nonce: string) => ({
  versionInfo: version,
  nonce,
  typeUrl: TYPES.cluster,
  resources: [
    {
      '@type': TYPES.cluster,
      name: 'outbound|9080||reviews.default.svc.cluster.local',
      type: 'EDS',
      edsClusterConfig: { serviceName: 'outbound|9080||reviews.default.svc.cluster.local' },
    },
  ],
});
const lds = {
  versionInfo: 'l1',
  nonce: 'n-l1',
  typeUrl: TYPES.listener,
  resources: [
    {
      '@type': TYPES.listener,
      name: '0.0.0.0_9080',
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typedConfig: { '@type': HCM, statPrefix: 'x', rds: { routeConfigName: '9080' } },
            },
          ],
        },
      ],
    },
  ],
};

describe.skipIf(!existsSync(DESCRIPTORS))('the ADS client (descriptors from `npm run controlplane:build`)', () => {
  let server: FakeIstiod;
  let client: AdsClient;
  afterEach(async () => {
    await client?.close();
    server?.stop();
  });

  async function connect(): Promise<{ updates: number[] }> {
    const types = xdsTypes(DESCRIPTORS);
    server = new FakeIstiod(types);
    await server.start();
    const seen = { updates: [] as number[] };
    client = new AdsClient({
      address: `127.0.0.1:${server.port}`,
      node: sidecarNode(pod),
      types,
      onUpdate: () => seen.updates.push(Date.now()),
      retryMs: 50,
    });
    client.start();
    return seen;
  }

  it('presents the sidecar node istiod expects; subscribes to clusters and listeners by wildcard first', async () => {
    await connect();
    await server.until((r) => r.length >= 2, 'the first two requests');
    expect(server.requests.map((r) => r.typeUrl)).toEqual([TYPES.cluster, TYPES.listener]);
    const node = server.requests[0]!.node;
    expect(node.id).toBe('sidecar~10.244.0.7~reviews-v1-7f9d-abcde.default~default.svc.cluster.local');
    expect(node.metadata).toMatchObject({
      NAMESPACE: 'default',
      LABELS: { app: 'reviews', version: 'v1' },
      WORKLOAD_NAME: 'reviews-v1',
      CLUSTER_ID: 'Kubernetes',
      INSTANCE_IPS: '10.244.0.7',
    });
    expect(server.requests[0]!.resourceNames).toBeUndefined();
  });

  it('ACKs each response with its version and nonce, then asks for endpoints and routes by name', async () => {
    const seen = await connect();
    await server.until((r) => r.length >= 2, 'subscriptions');
    server.respond(cds('c1', 'n-c1'));
    await server.until((r) => r.some((x) => x.typeUrl === TYPES.endpoint), 'an EDS request');
    const ack = server.requests.find((x) => x.typeUrl === TYPES.cluster && x.responseNonce === 'n-c1');
    expect(ack).toMatchObject({ versionInfo: 'c1' });
    expect(ack!.errorDetail).toBeUndefined();
    expect(server.requests.find((x) => x.typeUrl === TYPES.endpoint)!.resourceNames).toEqual([
      'outbound|9080||reviews.default.svc.cluster.local',
    ]);
    server.respond(lds);
    await server.until((r) => r.some((x) => x.typeUrl === TYPES.route), 'an RDS request');
    expect(server.requests.find((x) => x.typeUrl === TYPES.route)!.resourceNames).toEqual(['9080']);
    server.respond({
      versionInfo: 'r1',
      nonce: 'n-r1',
      typeUrl: TYPES.route,
      resources: [
        {
          '@type': TYPES.route,
          name: '9080',
          virtualHosts: [
            {
              name: 'reviews',
              domains: ['reviews'],
              routes: [
                {
                  match: { prefix: '/' },
                  route: { cluster: 'outbound|9080||reviews.default.svc.cluster.local', timeout: '0s' },
                },
              ],
            },
          ],
        },
      ],
    });
    await server.until((r) => r.some((x) => x.responseNonce === 'n-r1'), 'the RDS ACK');
    const snap = client.snapshot();
    expect([...snap.routes.keys()]).toEqual(['9080']);
    // Canonical JSON, as istioctl prints it: durations as strings, no @type on the resource itself.
    expect(snap.routes.get('9080')!.virtualHosts[0].routes[0].route).toEqual({
      cluster: 'outbound|9080||reviews.default.svc.cluster.local',
      timeout: '0s',
    });
    expect(snap.versions[TYPES.route]).toBe('r1');
    expect(seen.updates.length).toBe(3);
    expect(client.stats).toMatchObject({ acks: 3, nacks: 0 });
  });

  it('NACKs a response it cannot decode: previous version, that nonce, error detail; accepted ones stay', async () => {
    const seen = await connect();
    await server.until((r) => r.length >= 2, 'subscriptions');
    server.respond(cds('c1', 'n-c1'));
    await server.until((r) => r.some((x) => x.responseNonce === 'n-c1'), 'the first ACK');
    server.respond(cds('c2', 'n-c2'), (m) =>
      (m as unknown as { resources: unknown[] }).resources.push(
        create(AnySchema, { typeUrl: 'type.googleapis.com/acme.NotAnEnvoyType', value: new Uint8Array([8, 1]) }),
      ),
    );
    await server.until((r) => r.some((x) => x.responseNonce === 'n-c2'), 'the NACK');
    const nack = server.requests.find((x) => x.responseNonce === 'n-c2')!;
    expect(nack.versionInfo).toBe('c1');
    expect(nack.errorDetail.code).toBe(3);
    expect(nack.errorDetail.message).toMatch(/acme\.NotAnEnvoyType/);
    expect(client.snapshot().versions[TYPES.cluster]).toBe('c1');
    expect(client.snapshot().clusters.size).toBe(1);
    expect(client.stats).toMatchObject({ acks: 1, nacks: 1 });
    expect(seen.updates.length).toBe(1);
  });

  it('reopens a stream istiod ended and says which versions it holds', async () => {
    await connect();
    await server.until((r) => r.length >= 2, 'subscriptions');
    server.respond(cds('c1', 'n-c1'));
    await server.until((r) => r.some((x) => x.responseNonce === 'n-c1'), 'the ACK');
    const before = server.requests.length;
    server.endStream();
    await server.until((r) => r.slice(before).some((x) => x.typeUrl === TYPES.cluster), 'a new stream');
    const again = server.requests.slice(before);
    expect(again.find((x) => x.typeUrl === TYPES.cluster)).toMatchObject({ versionInfo: 'c1' });
    expect(again.find((x) => x.typeUrl === TYPES.cluster)!.responseNonce).toBeUndefined();
    expect(again.find((x) => x.typeUrl === TYPES.endpoint)!.resourceNames).toEqual([
      'outbound|9080||reviews.default.svc.cluster.local',
    ]);
    expect(client.stats.streams).toBe(2);
  });
});
