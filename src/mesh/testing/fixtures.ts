/**
 * Manifests and helpers for the mesh's own tests: echo services, a gateway bound to one of them,
 * and a mesh started with no propagation delay unless a test asks for one.
 */
import { ManualClock } from '../../core/testing/manual-clock.js';
import { request } from 'undici';
import { parseManifests, type LoadedObject } from '../../kube/manifest.js';
import { LocalMesh, type LocalMeshOptions } from '../local-mesh.js';
import { echoCatalog, type CallBody, type EchoBody } from './echo-catalog.js';

export function yaml(text: string, file = 'test.yaml'): LoadedObject[] {
  return parseManifests(text, file);
}

export function service(name: string, port = 9080, namespace = 'default'): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace}, labels: { app: ${name} } }
spec:
  selector: { app: ${name} }
  ports: [{ port: ${port}, name: http }]
`;
}

export function deployment(app: string, version: string, replicas = 1, namespace = 'default'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${app}-${version}, namespace: ${namespace} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${app}, version: ${version} } }
  template:
    metadata: { labels: { app: ${app}, version: ${version} } }
    spec:
      containers:
        - name: ${app}
          image: example.org/test/echo:1.0
`;
}

export function subsets(host: string, versions: string[]): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${host} }
spec:
  host: ${host}
  subsets:
${versions.map((v) => `    - { name: ${v}, labels: { version: ${v} } }`).join('\n')}
`;
}

/** Gateway on 8080 and a VirtualService sending everything to `host`. */
export function gatewayTo(host: string): string {
  return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: test-gateway }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 8080, name: http, protocol: HTTP }, hosts: ["*"] }]
---
${edgeVirtualService(`    - route: [{ destination: { host: ${host}, port: { number: 9080 } } }]\n`)}`;
}

/** The VirtualService `edge` bound to test-gateway, with `http` (YAML lines of spec.http) as its rules. */
export function edgeVirtualService(http: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: edge }
spec:
  hosts: ["*"]
  gateways: [test-gateway]
  http:
${http}`;
}

/** Services `front` (v1), `back` (v1, v2, v3) with subsets, and the gateway to `front`. */
export const BASE = [
  service('front'),
  deployment('front', 'v1'),
  service('back'),
  deployment('back', 'v1'),
  deployment('back', 'v2'),
  deployment('back', 'v3'),
  subsets('back', ['v1', 'v2', 'v3']),
  gatewayTo('front'),
].join('---\n');

export async function startMesh(opts: Partial<LocalMeshOptions> = {}, base = BASE): Promise<LocalMesh> {
  const mesh = new LocalMesh({ catalog: echoCatalog, seed: 7, propagationDelayMs: { minMs: 0, maxMs: 0 }, ...opts });
  await mesh.start();
  if (base) await mesh.apply(yaml(base, 'base.yaml'));
  // On a manual clock the base's pushes arrive when time moves: move it past them.
  if (opts.clock instanceof ManualClock) opts.clock.runAll();
  await mesh.whenSettled();
  return mesh;
}

export interface Answer<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: T;
}

/** A request to the ingress. */
export async function get<T = EchoBody>(
  mesh: LocalMesh,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer<T>> {
  const res = await request(`${mesh.ingressUrl}${path}`, { method: method as 'GET', headers });
  const text = await res.body.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: local replies are plain text or empty
  }
  return { status: res.statusCode, headers: res.headers, text, json: json as T };
}

/** A request through the ingress to `front`, which calls `host` through its sidecar. */
export async function hop(
  mesh: LocalMesh,
  host: string,
  path = '/',
  headers: Record<string, string> = {},
  port = 9080,
): Promise<CallBody> {
  const r = await get<CallBody>(mesh, `/call/${host}/${port}${path}`, headers);
  return r.json;
}

/** Which version served each of `n` hops to back. */
export async function versions(
  mesh: LocalMesh,
  n: number,
  path = '/',
  headers: Record<string, string> = {},
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await hop(mesh, 'back', path, headers);
    const body = r.upstream?.status === 200 ? (JSON.parse(r.upstream.body) as EchoBody) : null;
    const k = body?.version ?? `status ${r.upstream?.status ?? r.error}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
