/**
 * A stand-in Kubernetes API server on loopback for tests. It speaks the real wire format for what
 * meshproof uses: discovery, server-side apply (PATCH application/apply-patch+yaml with
 * fieldManager and force; managedFields name each manager, conflicts are left to `intercept`), get,
 * list (field and label selectors), delete, watch (newline-delimited
 * JSON events), and Status bodies for failures. Tests script failures and watch streams through
 * hooks. It is a test tool, not a Kubernetes: no admission, no controllers, no validation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../manifest.js';

interface Resource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const RESOURCES: Resource[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true },
  { group: 'networking.istio.io', version: 'v1', kind: 'VirtualService', plural: 'virtualservices', namespaced: true },
  {
    group: 'networking.istio.io',
    version: 'v1',
    kind: 'DestinationRule',
    plural: 'destinationrules',
    namespaced: true,
  },
  { group: 'networking.istio.io', version: 'v1', kind: 'Gateway', plural: 'gateways', namespaced: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'Gateway', plural: 'gateways', namespaced: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'HTTPRoute', plural: 'httproutes', namespaced: true },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'MutatingWebhookConfiguration',
    plural: 'mutatingwebhookconfigurations',
    namespaced: false,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
  },
];

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

export interface Reply {
  status: number;
  body: unknown;
}

/** A watch request the test answers: write events, then end (or not). */
export interface WatchCall {
  query: URLSearchParams;
  namespace: string | undefined;
  plural: string;
  send(type: string, object: unknown): void;
  end(): void;
}

export function status(
  code: number,
  reason: string,
  message: string,
  causes: { field?: string; message: string }[] = [],
): Reply {
  return {
    status: code,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
      details: causes.length ? { causes } : undefined,
    },
  };
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** Objects by `group/version|plural|namespace|name`. */
  readonly objects = new Map<string, KubeObject>();
  /** Return a reply to answer a request yourself (failures), or undefined to let the server answer. */
  intercept: ((req: RecordedRequest) => Reply | undefined) | undefined;
  /** Container logs by `namespace/pod/container`, served at `.../pods/<pod>/log?container=`. */
  readonly logs = new Map<string, string>();
  /** Answers watch requests; without it a watch ends at once with no events. */
  onWatch: ((w: WatchCall) => void) | undefined;
  private server: Server | undefined;
  private rv = 100;
  /** Emits `change` (type, resource plural, object) on every write, for default watches. */
  private readonly changes = new EventEmitter();
  /** Every write, so a watch from a resourceVersion replays what came after it, as a real server does. */
  private readonly history: { rv: number; type: string; plural: string; object: KubeObject }[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  nextResourceVersion(): string {
    return String(++this.rv);
  }

  private emit(type: string, plural: string, object: KubeObject): void {
    this.history.push({ rv: this.rv, type, plural, object: structuredClone(object) });
    this.changes.emit('change', type, plural, object);
  }

  /** Puts an object in the store as if it had been created (e.g. pods, events, status). */
  put(o: KubeObject): KubeObject {
    const r = this.resourceOf(o.apiVersion, o.kind);
    const stored = structuredClone(o);
    stored.metadata.resourceVersion = this.nextResourceVersion();
    if (r.namespaced) stored.metadata.namespace ??= 'default';
    const key = this.key(r, stored.metadata.namespace, o.metadata.name);
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    this.objects.set(key, stored);
    this.emit(type, r.plural, stored);
    return stored;
  }

  find(apiVersion: string, kind: string, name: string, namespace = 'default'): KubeObject | undefined {
    const r = this.resourceOf(apiVersion, kind);
    return this.objects.get(this.key(r, r.namespaced ? namespace : undefined, name));
  }

  /** The apply requests received (dry runs left out), as `Kind name` in order. */
  applied(): string[] {
    return this.requests
      .filter((r) => r.method === 'PATCH' && r.query.get('dryRun') !== 'All')
      .map((r) => {
        const o = parseYaml(r.body) as KubeObject;
        return `${o.kind} ${o.metadata.name}`;
      });
  }

  private resourceOf(apiVersion: string, kind: string): Resource {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const r = RESOURCES.find((x) => x.group === group && x.version === version && x.kind === kind);
    if (!r) throw new Error(`fake API server does not serve ${apiVersion} ${kind}`);
    return r;
  }

  private key(r: Resource, namespace: string | undefined, name: string): string {
    return `${r.group}/${r.version}|${r.plural}|${r.namespaced ? (namespace ?? 'default') : ''}|${name}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(rec);
    const override = this.intercept?.(rec);
    if (override) return send(res, override);
    send(res, this.answer(rec, res) ?? { status: -1, body: null });
  }

  private answer(rec: RecordedRequest, res: ServerResponse): Reply | undefined {
    const parts = rec.path.split('/').filter(Boolean);
    // Discovery: /api/v1, /apis/<group>/<version>
    const isCore = parts[0] === 'api';
    const group = isCore ? '' : (parts[1] ?? '');
    const version = isCore ? parts[1] : parts[2];
    const rest = parts.slice(isCore ? 2 : 3);
    if (rest.length === 0) {
      const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
      if (!resources.length) return status(404, 'NotFound', 'the server could not find the requested resource');
      return {
        status: 200,
        body: {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: isCore ? version : `${group}/${version}`,
          resources: resources.map((r) => ({
            name: r.plural,
            singularName: r.kind.toLowerCase(),
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
          })),
        },
      };
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest.splice(0, 2);
    }
    const [plural, name, sub] = rest;
    if (plural === 'pods' && name && sub === 'log') {
      const text = this.logs.get(`${namespace}/${name}/${rec.query.get('container') ?? ''}`);
      return text === undefined ? status(404, 'NotFound', `pods "${name}" not found`) : { status: 200, body: text };
    }
    const r = RESOURCES.find((x) => x.group === group && x.version === version && x.plural === plural);
    if (!r) return status(404, 'NotFound', 'the server could not find the requested resource');
    const gr = r.group ? `${r.plural}.${r.group}` : r.plural;
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    if (!name) {
      if (rec.query.get('watch') === 'true') {
        this.serveWatch(rec, r, namespace, res);
        return undefined;
      }
      if (rec.method !== 'GET') return status(405, 'MethodNotAllowed', 'method not allowed');
      const items = [...this.objects.entries()]
        .filter(([k]) => k.startsWith(`${r.group}/${r.version}|${r.plural}|${namespace ?? ''}`))
        .map(([, o]) => o)
        .filter((o) => matchesSelectors(o, rec.query));
      return {
        status: 200,
        body: {
          kind: `${r.kind}List`,
          apiVersion,
          metadata: { resourceVersion: String(this.rv) },
          items: items.map(({ apiVersion: _a, kind: _k, ...o }) => o),
        },
      };
    }
    const key = this.key(r, namespace, name);
    const existing = this.objects.get(key);
    if (rec.method === 'GET')
      return existing ? { status: 200, body: existing } : status(404, 'NotFound', `${gr} "${name}" not found`);
    if (rec.method === 'DELETE') {
      if (!existing) return status(404, 'NotFound', `${gr} "${name}" not found`);
      this.objects.delete(key);
      this.emit('DELETED', r.plural, existing);
      return {
        status: 200,
        body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: plural } },
      };
    }
    if (rec.method === 'PATCH') {
      if (rec.contentType !== 'application/apply-patch+yaml')
        return status(415, 'UnsupportedMediaType', `unsupported patch type ${rec.contentType}`);
      if (!rec.query.get('fieldManager'))
        return status(
          400,
          'BadRequest',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      const body = parseYaml(rec.body) as KubeObject;
      const merged: KubeObject = existing
        ? { ...existing, ...body, metadata: { ...existing.metadata, ...body.metadata } }
        : body;
      // Each manager that applied, once, as the real server lists them (without the fields each holds).
      const managers = (existing?.metadata.managedFields as { manager: string }[] | undefined) ?? [];
      const manager = rec.query.get('fieldManager')!;
      merged.metadata.managedFields = managers.some((m) => m.manager === manager)
        ? managers
        : [...managers, { manager, operation: 'Apply', apiVersion: body.apiVersion }];
      // dryRun=All: validated and answered as if stored, nothing kept (the real server's contract).
      if (rec.query.get('dryRun') === 'All') return { status: existing ? 200 : 201, body: merged };
      const changed =
        !existing ||
        JSON.stringify({ ...existing, metadata: { ...existing.metadata, resourceVersion: '', generation: 0 } }) !==
          JSON.stringify({ ...merged, metadata: { ...merged.metadata, resourceVersion: '', generation: 0 } });
      if (changed) {
        merged.metadata.resourceVersion = this.nextResourceVersion();
        const specChanged = !existing || JSON.stringify(existing.spec) !== JSON.stringify(body.spec);
        merged.metadata.generation =
          ((existing?.metadata.generation as number | undefined) ?? 0) + (specChanged ? 1 : 0);
        if (r.namespaced) merged.metadata.namespace = namespace ?? 'default';
        this.objects.set(key, merged);
        this.emit(existing ? 'MODIFIED' : 'ADDED', r.plural, merged);
      }
      return { status: existing ? 200 : 201, body: merged };
    }
    return status(405, 'MethodNotAllowed', `method ${rec.method} not allowed`);
  }

  private serveWatch(rec: RecordedRequest, r: Resource, namespace: string | undefined, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const call: WatchCall = {
      query: rec.query,
      namespace,
      plural: r.plural,
      send: (type, object) => res.write(`${JSON.stringify({ type, object })}\n`),
      end: () => res.end(),
    };
    if (this.onWatch) return this.onWatch(call);
    // Default: stream later writes to matching objects until the asked timeout.
    const listener = (type: string, plural: string, o: KubeObject) => {
      if (plural === r.plural && (!namespace || o.metadata.namespace === namespace) && matchesSelectors(o, rec.query))
        call.send(type, o);
    };
    const from = Number(rec.query.get('resourceVersion') ?? this.rv);
    for (const h of this.history) if (h.rv > from) listener(h.type, h.plural, h.object);
    this.changes.on('change', listener);
    const timer = setTimeout(() => res.end(), Number(rec.query.get('timeoutSeconds') ?? 60) * 1000);
    res.on('close', () => {
      clearTimeout(timer);
      this.changes.off('change', listener);
    });
  }
}

function matchesSelectors(o: KubeObject, q: URLSearchParams): boolean {
  const field = q.get('fieldSelector');
  if (field) {
    for (const term of field.split(',')) {
      const [k, v] = term.split('=');
      if (k === 'metadata.name' && o.metadata.name !== v) return false;
      if (k === 'metadata.namespace' && o.metadata.namespace !== v) return false;
    }
  }
  const label = q.get('labelSelector');
  if (label) {
    for (const term of label.split(',')) {
      const [k, v] = term.split('=');
      const actual = o.metadata.labels?.[k ?? ''];
      if (v === undefined ? actual === undefined : actual !== v) return false;
    }
  }
  return true;
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.status === -1) return; // the watch handler owns the response
  const text = typeof reply.body === 'string';
  res.writeHead(reply.status, { 'content-type': text ? 'text/plain' : 'application/json' });
  res.end(text ? reply.body : JSON.stringify(reply.body));
}
