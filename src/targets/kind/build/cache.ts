/**
 * The content-addressed store of `npm run kind:build`. Every part (the kind CLI, the Kubernetes
 * binaries, the Debian packages, the images, …) is built into `<root>/<part>/<key>/`, where the key
 * is a sha256 over the part's named inputs: file contents (go.mod, go.sum, Go sources, manifests,
 * the build step's own source), versions, package lists, and the keys of the parts it is made from.
 * A part whose folder holds a record with its key is up to date and is not rebuilt. A build goes to
 * a temporary folder first and is renamed into place whole, so an interrupted build leaves nothing
 * that looks finished. Older keys of a part are removed once a new one is in place.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** One named input of a content key. */
export type KeyInput = readonly [name: string, value: string | Uint8Array];

/** The record written beside an artefact once it is complete. */
export interface PartRecord {
  part: string;
  key: string;
  /** sha256 (16 hex) of each input, by name: what `changedInputs` compares. */
  inputs: Record<string, string>;
  builtAt: string;
  ms: number;
}

export const RECORD_FILE = '.meshproof-part.json';
/** Length of the key prefix that names a part's folder. */
export const KEY_DIR_LENGTH = 16;

function sha256(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * sha256 over the inputs in the order given, each as its name and value with their lengths first,
 * so no two different input lists can produce the same byte stream.
 */
export function contentKey(inputs: readonly KeyInput[]): string {
  const h = createHash('sha256');
  for (const [name, value] of inputs) {
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    h.update(`${Buffer.byteLength(name)}:${name}:${bytes.length}:`).update(bytes);
  }
  return h.digest('hex');
}

/** Per-input digests, for the record and for saying what changed between two builds. */
export function inputDigests(inputs: readonly KeyInput[]): Record<string, string> {
  return Object.fromEntries(inputs.map(([name, value]) => [name, sha256(value).slice(0, 16)]));
}

/** Names of the inputs that differ between two records (added, removed or changed), sorted. */
export function changedInputs(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}

/** Files under `dir` (relative paths, sorted), recursively; `keep` filters by relative path. */
export function treeFiles(dir: string, keep: (rel: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && keep(relative(dir, p))) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The contents of `files` (relative to `root`) as inputs named `<prefix><file>`. */
export function fileInputs(root: string, files: readonly string[], prefix = ''): KeyInput[] {
  return files.map((f) => [`${prefix}${f}`, readFileSync(join(root, f))] as const);
}

export interface Produced {
  part: string;
  key: string;
  dir: string;
  /** false when the artefact was already there. */
  built: boolean;
  ms: number;
  /** When built over an older key of the same part: the inputs that differ. */
  changed?: string[];
}

export class ArtefactStore {
  constructor(readonly root: string) {}

  dir(part: string, key: string): string {
    return join(this.root, part, key.slice(0, KEY_DIR_LENGTH));
  }

  /** The record of the artefact built from `key`, or null when there is none (or another key's). */
  record(part: string, key: string): PartRecord | null {
    const file = join(this.dir(part, key), RECORD_FILE);
    if (!existsSync(file)) return null;
    try {
      const r = JSON.parse(readFileSync(file, 'utf8')) as PartRecord;
      return r.key === key ? r : null;
    } catch {
      return null;
    }
  }

  /**
   * The artefact of `part` for `inputs`: found, or made by `build` in a fresh folder that is then
   * renamed into place. Folders of the part's other keys are removed after a successful build.
   */
  async produce(part: string, inputs: readonly KeyInput[], build: (dir: string) => Promise<void>): Promise<Produced> {
    const key = contentKey(inputs);
    const dir = this.dir(part, key);
    if (this.record(part, key)) return { part, key, dir, built: false, ms: 0 };
    const digests = inputDigests(inputs);
    const previous = await this.latestOther(part, key);
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    const t0 = Date.now();
    try {
      await build(tmp);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    const ms = Date.now() - t0;
    const record: PartRecord = { part, key, inputs: digests, builtAt: new Date().toISOString(), ms };
    await writeFile(join(tmp, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await this.prune(part, key);
    return {
      part,
      key,
      dir,
      built: true,
      ms,
      ...(previous ? { changed: changedInputs(previous.inputs, digests) } : {}),
    };
  }

  /** The most recent record of `part` under a key other than `key`. */
  private async latestOther(part: string, key: string): Promise<PartRecord | null> {
    let best: PartRecord | null = null;
    for (const name of await this.keyDirs(part)) {
      if (name === key.slice(0, KEY_DIR_LENGTH)) continue;
      try {
        const r = JSON.parse(await readFile(join(this.root, part, name, RECORD_FILE), 'utf8')) as PartRecord;
        if (!best || r.builtAt > best.builtAt) best = r;
      } catch {
        // an unfinished or foreign folder: nothing to compare with
      }
    }
    return best;
  }

  private async keyDirs(part: string): Promise<string[]> {
    const d = join(this.root, part);
    if (!existsSync(d)) return [];
    return (await readdir(d)).filter((n) => statSync(join(d, n)).isDirectory());
  }

  /** Removes the folders of `part` other than `key`'s (older builds and leftovers of interrupted ones). */
  async prune(part: string, key: string): Promise<void> {
    for (const name of await this.keyDirs(part)) {
      if (name !== key.slice(0, KEY_DIR_LENGTH))
        await rm(join(this.root, part, name), { recursive: true, force: true });
    }
  }
}
