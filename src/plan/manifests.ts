/**
 * Loads the manifest files a plan names, relative to the plan file, each once however often it is
 * named, and validates their objects as the cluster would. Problems come back as issues: a missing
 * file is reported where the plan names it, a bad object where the manifest holds it.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError, type InputIssue, type SourceLocation } from '../core/errors.js';
import { loadManifestFile, type LoadedObject } from '../kube/manifest.js';
import { validateObjects } from '../istio/validate/validate.js';
import type { ManifestRef } from './types.js';

interface FileResult {
  objects: LoadedObject[];
  /** Why the file could not be read (reported at every reference), if it could not. */
  unreadable?: string;
  /** Problems inside the file (reported once). */
  issues: InputIssue[];
}

export class ManifestLoader {
  private readonly files = new Map<string, Promise<FileResult>>();
  private readonly reported = new Set<string>();
  private readonly planDir: string;

  constructor(planFile: string) {
    this.planDir = dirname(planFile);
  }

  /** Every object of every file loaded so far, each file once. */
  async allObjects(): Promise<LoadedObject[]> {
    return (await Promise.all(this.files.values())).flatMap((r) => r.objects);
  }

  async load(declared: string, at: SourceLocation): Promise<{ ref: ManifestRef; issues: InputIssue[] }> {
    const path = resolve(this.planDir, declared);
    let pending = this.files.get(path);
    if (!pending) {
      pending = readFileResult(path);
      this.files.set(path, pending);
    }
    const result = await pending;
    const issues: InputIssue[] = [];
    if (result.unreadable) issues.push({ ...at, message: `${result.unreadable}: ${declared} (resolved to ${path})` });
    else if (result.objects.length === 0 && result.issues.length === 0)
      issues.push({ ...at, message: `manifest ${declared} holds no objects` });
    if (!this.reported.has(path)) {
      this.reported.add(path);
      issues.push(...result.issues);
    }
    return { ref: { path, declared, at, objects: result.objects }, issues };
  }
}

async function readFileResult(path: string): Promise<FileResult> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return { objects: [], issues: [], unreadable: 'not a file' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      objects: [],
      issues: [],
      unreadable: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(err)})`,
    };
  }
  try {
    const objects = await loadManifestFile(path);
    return { objects, issues: validateObjects(objects) };
  } catch (err) {
    if (err instanceof InputError) return { objects: [], issues: err.issues };
    throw err;
  }
}
