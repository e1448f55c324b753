/**
 * A small client over @kubernetes/client-node's KubernetesObjectApi: server-side apply, reads,
 * lists and deletes, with every failure turned into a message that names the object. Field
 * ownership is forced only on objects meshproof created (see `apply`): on anyone else's object a
 * field another manager holds is a conflict, refused, never taken over.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { InputError, type InputIssue } from '../core/errors.js';
import { ObjectApi } from './object-api.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { objectRef, type KubeObject, type LoadedObject, type ObjectSource } from './manifest.js';
import { apiError, isNotFound } from './api-error.js';
import { applyOrder, deleteOrder } from './order.js';

export const FIELD_MANAGER = 'meshproof';
/**
 * The field manager of meshproof's applies to objects it did not create. A name of its own, so
 * that having applied to someone else's object never makes the object look like meshproof's own
 * (which would let the next apply force).
 */
export const SHARED_FIELD_MANAGER_SUFFIX = '-shared';

/**
 * How the API finds an object: no namespace for a cluster-scoped one (ObjectKey, in object-key.ts, always names one).
 */
export interface ApiObjectKey {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ApplyResult {
  /** `VirtualService reviews.default` */
  ref: string;
  action: 'created' | 'configured' | 'unchanged';
  /** The object as the server returned it after the apply. */
  object: KubeObject;
}

export interface ApplyAllOptions {
  signal?: AbortSignal;
  /**
   * Pause after the DestinationRules of a batch before its VirtualServices, so proxies hold the
   * new subsets before any route points at them. Default 0.
   */
  makeBeforeBreakMs?: number;
}

const SERVER_FIELDS = [
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'managedFields',
  'generation',
  'selfLink',
] as const;

export class KubeClient {
  readonly api: ObjectApi;
  readonly defaultNamespace: string;

  constructor(
    readonly kc: KubeConfig,
    readonly fieldManager = FIELD_MANAGER,
  ) {
    this.api = ObjectApi.make(kc);
    this.defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  }

  ref(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
    return objectRef(o, this.defaultNamespace);
  }

  /** The manager of applies to objects meshproof did not create: never forced. */
  get sharedFieldManager(): string {
    return `${this.fieldManager}${SHARED_FIELD_MANAGER_SUFFIX}`;
  }

  /** meshproof created the object: its own manager holds fields of it (an unforced apply never uses that manager). */
  private created(o: KubeObject): boolean {
    const managed = Array.isArray(o.metadata.managedFields)
      ? (o.metadata.managedFields as { manager?: unknown }[])
      : [];
    return managed.some((m) => m?.manager === this.fieldManager);
  }

  /**
   * Server-side apply of one object, sent as written with strict field validation (an unknown
   * field is refused, not dropped). `source` lets an invalid object be reported at its file and
   * line. With `dryRun` the server validates and admits it without storing anything.
   *
   * Forced, with the field manager `meshproof`, only on an object meshproof created: one absent
   * before this apply, or one that manager already holds fields of. Any other object (or one that
   * cannot be read first) is applied unforced as `meshproof-shared`, so a field another manager
   * holds with another value is a conflict the server refuses, reported at the field's line.
   */
  async apply(obj: KubeObject, source?: ObjectSource, opts: { dryRun?: boolean } = {}): Promise<ApplyResult> {
    const body = forApply(obj);
    const ref = this.ref(body);
    // undefined: not readable (a kind not served yet, no permission to read): then not forced either.
    const before = await this.get(keyOf(body)).catch(() => undefined);
    const ours = before === null || (before !== undefined && this.created(before));
    let after: KubeObject;
    try {
      after = plain(
        await this.api.applyAsWritten(body as KubernetesObject, {
          fieldManager: ours ? this.fieldManager : this.sharedFieldManager,
          force: ours,
          dryRun: opts.dryRun,
        }),
      );
    } catch (err) {
      throw apiError(opts.dryRun ? 'validate' : 'apply', ref, err, source);
    }
    const action = !before
      ? 'created'
      : before.metadata.resourceVersion === after.metadata.resourceVersion
        ? 'unchanged'
        : 'configured';
    return { ref, action, object: after };
  }

  /**
   * Applies a batch in cluster order (namespaces first, DestinationRules before VirtualServices).
   * The whole batch is first sent as a dry run, so an object the server refuses stops the batch
   * before anything is stored: every refusal is reported, and nothing is applied.
   */
  async applyAll(items: readonly (LoadedObject | KubeObject)[], opts: ApplyAllOptions = {}): Promise<ApplyResult[]> {
    const loaded = items.map(asLoaded);
    const ordered = applyOrder(loaded, (l) => l.object);
    await this.dryRunAll(ordered, opts.signal);
    const out: ApplyResult[] = [];
    let pausedForSubsets = false;
    for (const l of ordered) {
      opts.signal?.throwIfAborted();
      if (
        l.object.kind === 'VirtualService' &&
        !pausedForSubsets &&
        opts.makeBeforeBreakMs &&
        out.some((r) => r.object.kind === 'DestinationRule')
      ) {
        pausedForSubsets = true;
        await sleep(opts.makeBeforeBreakMs, undefined, opts.signal ? { signal: opts.signal } : undefined);
      }
      out.push(await this.apply(l.object, l.source));
    }
    return out;
  }

  private async dryRunAll(
    ordered: readonly { object: KubeObject; source?: ObjectSource }[],
    signal?: AbortSignal,
  ): Promise<void> {
    const issues: InputIssue[] = [];
    const namespaces = new Set(ordered.filter((l) => l.object.kind === 'Namespace').map((l) => l.object.metadata.name));
    const definesKinds = ordered.some((l) => l.object.kind === 'CustomResourceDefinition');
    for (const l of ordered) {
      signal?.throwIfAborted();
      try {
        await this.apply(l.object, l.source, { dryRun: true });
      } catch (err) {
        if (err instanceof InputError) issues.push(...err.issues);
        // What the batch itself creates (its namespace, its CRDs' kinds) cannot be checked before it exists.
        else if (!dependsOnBatch(err, l.object, namespaces, definesKinds)) throw err;
      }
    }
    if (issues.length) throw new InputError(issues);
  }

  /** The object as the cluster holds it, or null when it does not exist. */
  async get(key: ApiObjectKey): Promise<KubeObject | null> {
    const header = {
      apiVersion: key.apiVersion,
      kind: key.kind,
      metadata: { name: key.name, namespace: key.namespace ?? this.defaultNamespace },
    };
    try {
      return plain(await this.api.read(header));
    } catch (err) {
      if (isNotFound(err) && !/resource metadata/i.test(String((err as Error).message))) return null;
      throw apiError('read', this.ref(header), err);
    }
  }

  /** Objects of a kind in a namespace (all namespaces when `namespace` is undefined). */
  async list(
    apiVersion: string,
    kind: string,
    namespace?: string,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<{ items: KubeObject[]; resourceVersion: string | undefined }> {
    try {
      const res = await this.api.list(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        selectors.fieldSelector,
        selectors.labelSelector,
      );
      const list = plain(res) as unknown as { items: KubeObject[]; metadata?: { resourceVersion?: string } };
      // A list's items carry no apiVersion/kind on the wire; put them back so callers can re-apply them.
      const items = (list.items ?? []).map((i) => ({
        ...i,
        apiVersion: i.apiVersion ?? apiVersion,
        kind: i.kind ?? kind,
      }));
      return { items, resourceVersion: list.metadata?.resourceVersion };
    } catch (err) {
      throw apiError('list', `${kind} in ${namespace ?? 'all namespaces'}`, err);
    }
  }

  /** Deletes one object; returns false when it was already absent. */
  async delete(key: ApiObjectKey): Promise<boolean> {
    const header = {
      apiVersion: key.apiVersion,
      kind: key.kind,
      metadata: { name: key.name, namespace: key.namespace ?? this.defaultNamespace },
    };
    try {
      await this.api.delete(header);
      return true;
    } catch (err) {
      if (isNotFound(err) && !/resource metadata/i.test(String((err as Error).message))) return false;
      throw apiError('delete', this.ref(header), err);
    }
  }

  /** Deletes in removal order (VirtualServices before DestinationRules, namespaces last). */
  async deleteAll(keys: readonly ApiObjectKey[]): Promise<void> {
    for (const k of deleteOrder(keys, (x) => x)) await this.delete(k);
  }

  /** Creates or updates a namespace with labels (e.g. `istio-injection=enabled`). */
  async ensureNamespace(name: string, labels: Record<string, string> = {}): Promise<ApplyResult> {
    return this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }
}

export function keyOf(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): ApiObjectKey {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    namespace: o.metadata.namespace || undefined,
  };
}

/** A copy fit for server-side apply: no server-owned metadata, no status. */
export function forApply(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj) as KubeObject;
  for (const f of SERVER_FIELDS) delete copy.metadata[f];
  delete copy.status;
  return copy;
}

/** Client-node returns class instances with Date fields for built-in kinds; callers get plain JSON. */
export function plain<T>(x: T): KubeObject {
  return JSON.parse(JSON.stringify(x)) as KubeObject;
}

function dependsOnBatch(err: unknown, o: KubeObject, namespaces: Set<string>, definesKinds: boolean): boolean {
  const msg = String((err as Error)?.message ?? '');
  if (o.metadata.namespace && namespaces.has(o.metadata.namespace) && /namespaces? "[^"]+" not found/.test(msg))
    return true;
  return (
    definesKinds &&
    /Unrecognized API version and kind|404 page not found|could not find the requested resource/i.test(msg)
  );
}

function asLoaded(x: LoadedObject | KubeObject): { object: KubeObject; source?: ObjectSource } {
  return 'object' in x && 'source' in x ? (x as LoadedObject) : { object: x as KubeObject };
}
