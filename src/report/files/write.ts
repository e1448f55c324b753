/** Small file helpers for the report folder. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathSegment } from '../../core/path-segment.js';

/**
 * Writes through a temporary file and a rename, so a run killed mid-write leaves the previous
 * complete file rather than half a JSON document.
 */
export async function writeAtomic(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

/** A name safe as one path segment on every OS: `VirtualService` → `virtualservice`, `../x` → `x`. */
export function safeSegment(name: string, fallback = 'unnamed'): string {
  return pathSegment(name, { fallback, lowercase: true });
}
