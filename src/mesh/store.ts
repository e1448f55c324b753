/**
 * The local mesh's API server: holds Kubernetes and Istio objects keyed by
 * apiVersion/kind/namespace/name, applies batches all-or-nothing, and answers like server-side
 * apply (created / configured / unchanged). Listeners hear about every committed change.
 */
import { isDeepStrictEqual } from 'node:util';
import { InputError, type InputIssue } from '../core/errors.js';
import { objectRef, type KubeObject, type LoadedObject } from '../kube/manifest.js';
import { validateObject } from '../istio/validate/validate.js';
import { hash32 } from '../core/random.js';
import type { AppCatalog } from './app.js';

/** Kinds without a namespace. */
const CLUSTER_SCOPED = new Set(['Namespace']);

export interface StoredObject {
  key: string;
  /** The object as the store holds it, with server-filled metadata. */
  object: KubeObject;
  /** Creation order: older objects win where Istio resolves conflicts by age. */
  seq: number;
  /** What was applied (without server fields), to tell "unchanged" from "configured". */
  applied: KubeObject;
}

export type { ObjectKey, ApplyOutcome } from '../kube/object-key.js';
import type { ObjectKey, ApplyOutcome } from '../kube/object-key.js';

export type StoreListener = (changed: StoredObject[], deleted: StoredObject[]) => void;

export function keyOf(k: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  const ns = CLUSTER_SCOPED.has(k.kind) ? '' : (k.namespace ?? 'default');
  return `${k.apiVersion}/${k.kind}/${ns}/${k.name}`;
}

export class ConfigStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly listeners: StoreListener[] = [];
  private seq = 0;
  private resourceVersion = 1000;

  constructor(
    private readonly catalog: AppCatalog,
    /** Further checks for what this store's consumer cannot take. */
    private readonly extraIssues: (o: LoadedObject) => InputIssue[] = () => [],
  ) {}

  onChange(listener: StoreListener): void {
    this.listeners.push(listener);
  }

  /**
   * Validates every object first; any issue refuses the whole batch with an InputError.
   * `createdAt` gives a new object the creationTimestamp a cluster gave the same object, for a
   * store that mirrors one (istiod orders objects by it); otherwise it is the moment of the batch.
   */
  apply(batch: LoadedObject[], opts: { createdAt?: (o: KubeObject) => string | undefined } = {}): ApplyOutcome[] {
    const issues = batch.flatMap((loaded) => [
      ...validateObject(loaded),
      ...this.imageIssues(loaded),
      ...this.extraIssues(loaded),
    ]);
    if (issues.length) throw new InputError(issues);
    const outcomes: ApplyOutcome[] = [];
    const changed: StoredObject[] = [];
    // One moment for the whole batch: objects created together share a creationTimestamp, and
    // istiod then orders them by name.
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const { object } of batch) {
      const applied = normalise(object);
      const key = keyOf({ ...applied, namespace: applied.metadata.namespace, name: applied.metadata.name });
      const ref = objectRef(applied);
      const existing = this.objects.get(key);
      if (existing && isDeepStrictEqual(existing.applied, applied)) {
        outcomes.push({ ref, action: 'unchanged' });
        continue;
      }
      const stored = this.store(key, applied, existing, opts.createdAt?.(applied) ?? now);
      changed.push(stored);
      outcomes.push({ ref, action: existing ? 'configured' : 'created' });
    }
    if (changed.length) this.emit(changed, []);
    return outcomes;
  }

  /** Deletes objects; missing ones are fine. */
  delete(keys: ObjectKey[]): void {
    const deleted: StoredObject[] = [];
    for (const k of keys) {
      const key = keyOf(k);
      const existing = this.objects.get(key);
      if (!existing) continue;
      this.objects.delete(key);
      deleted.push(existing);
    }
    if (deleted.length) this.emit([], deleted);
  }

  /** A copy of the object as held, or null. */
  get(k: ObjectKey): KubeObject | null {
    const found = this.objects.get(keyOf(k));
    return found ? structuredClone(found.object) : null;
  }

  /** Copies of the objects of one kind; all namespaces when `namespace` is undefined. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.entries(kind, namespace, apiVersion).map((e) => structuredClone(e.object));
  }

  /**
   * Entries of a kind (any apiVersion unless given), oldest first. Not copies: callers inside the
   * mesh read them and must not change them.
   */
  entries(kind: string, namespace?: string, apiVersion?: string): StoredObject[] {
    const out: StoredObject[] = [];
    for (const e of this.objects.values()) {
      if (e.object.kind !== kind) continue;
      if (apiVersion !== undefined && e.object.apiVersion !== apiVersion) continue;
      if (namespace !== undefined && !CLUSTER_SCOPED.has(kind) && e.object.metadata.namespace !== namespace) continue;
      out.push(e);
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  all(): StoredObject[] {
    return [...this.objects.values()].sort((a, b) => a.seq - b.seq);
  }

  private store(key: string, applied: KubeObject, existing: StoredObject | undefined, now: string): StoredObject {
    const specChanged = !existing || !isDeepStrictEqual(existing.applied.spec, applied.spec);
    const prevMeta = existing?.object.metadata;
    const object = structuredClone(applied);
    object.metadata = {
      ...object.metadata,
      uid: prevMeta?.uid ?? uidFor(key, this.seq + 1),
      resourceVersion: String(++this.resourceVersion),
      generation: ((prevMeta?.generation as number | undefined) ?? 0) + (specChanged ? 1 : 0),
      creationTimestamp: prevMeta?.creationTimestamp ?? now,
    };
    const stored: StoredObject = { key, object, applied, seq: existing?.seq ?? ++this.seq };
    this.objects.set(key, stored);
    return stored;
  }

  private emit(changed: StoredObject[], deleted: StoredObject[]): void {
    for (const l of this.listeners) l(changed, deleted);
  }

  /** A Deployment the mesh cannot run is refused, naming the image, file and line. */
  private imageIssues({ object, source }: LoadedObject): InputIssue[] {
    if (object.kind !== 'Deployment') return [];
    const containers: { image?: unknown }[] = object.spec?.template?.spec?.containers ?? [];
    const issues: InputIssue[] = [];
    if (!Array.isArray(containers) || containers.length === 0) {
      issues.push({
        file: source.file,
        line: source.lineOf(['spec', 'template', 'spec']),
        field: 'spec.template.spec.containers',
        message: `${objectRef(object)} has no containers`,
      });
    }
    (Array.isArray(containers) ? containers : []).forEach((c, i) => {
      const image = typeof c?.image === 'string' ? c.image : '';
      if (this.catalog.lookup(image)) return;
      issues.push({
        file: source.file,
        line: source.lineOf(['spec', 'template', 'spec', 'containers', i, 'image']),
        field: `spec.template.spec.containers[${i}].image`,
        message:
          `${objectRef(object)}: the local mesh has no stand-in for image "${image}" (it runs the Bookinfo ` +
          'images examples-bookinfo-<service>-<version>)',
      });
    });
    return issues;
  }
}

/** The object as applied: namespace filled in, server-owned fields dropped. */
function normalise(o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  const {
    uid: _u,
    resourceVersion: _r,
    generation: _g,
    creationTimestamp: _c,
    managedFields: _m,
    ...meta
  } = copy.metadata;
  copy.metadata = { ...meta, name: meta.name };
  if (CLUSTER_SCOPED.has(copy.kind)) delete copy.metadata.namespace;
  else copy.metadata.namespace = meta.namespace ?? 'default';
  delete copy.status;
  return copy;
}

function uidFor(key: string, n: number): string {
  // Stable per object and creation order, shaped like a Kubernetes UID.
  const hex = [0, 1, 2, 3].map((round) => hash32(`${key}#${n}#${round}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
