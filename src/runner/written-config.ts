/**
 * What this run wrote to the cluster, and what the cluster held of it right after. Another writer
 * — a second run sharing the cluster (`--shared`), kubectl, a GitOps controller — shows as a
 * difference when the run reads its config back before and after verifying a step, and such a
 * step is never passed (execute-step.ts): its verdict would be about config it did not apply.
 *
 * An object is compared by its uid and everything but metadata and status, so a controller writing
 * status or annotations is no change; the generation is kept for the message. An object that cannot
 * be read back (a transient API error) is not compared that time, rather than called changed.
 */
import { createHash } from 'node:crypto';
import { CLUSTER_SCOPED_KINDS, objectRef, type KubeObject, type LoadedObject } from '../kube/manifest.js';
import type { ConfigChange } from '../model/config-change.js';
import type { ObjectKey, Target } from '../targets/target.js';

interface Fingerprint {
  uid: string | null;
  generation: number | null;
  digest: string;
}

interface Held {
  key: ObjectKey;
  /** As read right after this run applied it; null when it was absent then. */
  seen: Fingerprint | null;
}

export class WrittenConfig {
  private readonly held = new Map<string, Held>();

  /** After an apply: the objects as the cluster now holds them are what the run expects to find from here on. */
  async record(target: Target, objects: LoadedObject[], namespace: string): Promise<void> {
    for (const { object } of objects) {
      const ref = objectRef(object, namespace);
      const key = keyOf(object, namespace);
      const read = await readBack(target, key);
      if (read === undefined) this.held.delete(ref);
      else this.held.set(ref, { key, seen: fingerprint(read) });
    }
  }

  /** Every object this run wrote, read back now: each one that differs from what was recorded. */
  async changes(target: Target): Promise<ConfigChange[]> {
    const changes: ConfigChange[] = [];
    for (const [ref, { key, seen }] of this.held) {
      const read = await readBack(target, key);
      if (read === undefined) continue;
      const change = compare(ref, seen, fingerprint(read));
      if (change) changes.push(change);
    }
    return changes;
  }
}

function keyOf(o: KubeObject, namespace: string): ObjectKey {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    namespace: CLUSTER_SCOPED_KINDS.has(o.kind) ? '' : (o.metadata.namespace ?? namespace),
  };
}

/** The object, null when absent, undefined when it could not be read. */
async function readBack(target: Target, key: ObjectKey): Promise<KubeObject | null | undefined> {
  return target.get(key).catch(() => undefined);
}

function fingerprint(o: KubeObject | null): Fingerprint | null {
  if (!o) return null;
  const { metadata, status: _status, ...content } = o;
  return {
    uid: typeof metadata.uid === 'string' ? metadata.uid : null,
    generation: typeof metadata.generation === 'number' ? metadata.generation : null,
    digest: createHash('sha256').update(stableJson(content)).digest('hex'),
  };
}

function compare(ref: string, before: Fingerprint | null, after: Fingerprint | null): ConfigChange | null {
  if (!before && !after) return null;
  if (!after) return { ref, change: 'deleted' };
  if (!before) return { ref, change: 'created' };
  if (before.uid !== after.uid) return { ref, change: 'recreated' };
  if (before.digest === after.digest) return null;
  return {
    ref,
    change: 'changed',
    ...(before.generation !== null && after.generation !== null
      ? { generations: [before.generation, after.generation] as [number, number] }
      : {}),
  };
}

/** JSON with object keys sorted, so the same content always digests the same. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
