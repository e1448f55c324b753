/**
 * The diagnostics bundle: each part written to its own file, each failure recorded in
 * `errors.txt` instead of stopping the rest. Every part has a deadline and so has the bundle: a
 * cluster whose API server accepts requests and never answers (etcd gone) costs a minute at most,
 * and the parts left when time is up are named as not collected. Never throws.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMs } from '../core/duration.js';
import { withDeadline } from '../core/wait.js';

/** Longest wait for one part. */
export const DIAGNOSTIC_PART_MS = 20_000;
/** Longest time for the whole bundle. */
export const DIAGNOSTICS_MS = 60_000;

export interface DiagnosticPart {
  /** File name inside the bundle folder (for a part that writes a folder, its name). */
  file: string;
  /** Returns the file's content, or null when the part wrote its own files. */
  collect: () => Promise<string | null>;
}

export async function writeDiagnostics(
  dir: string,
  parts: readonly DiagnosticPart[],
  limits: { partMs?: number; totalMs?: number } = {},
): Promise<string[]> {
  const written: string[] = [];
  const errors: string[] = [];
  const partMs = limits.partMs ?? DIAGNOSTIC_PART_MS;
  const totalMs = limits.totalMs ?? DIAGNOSTICS_MS;
  const start = Date.now();
  try {
    await mkdir(dir, { recursive: true });
  } catch {
    return [];
  }
  for (const part of parts) {
    const left = totalMs - (Date.now() - start);
    if (left <= 0) {
      errors.push(`${part.file}: not collected: the diagnostics ran out of their ${formatMs(totalMs)}`);
      continue;
    }
    try {
      const content = await withDeadline(part.collect(), Math.min(partMs, left), 'it');
      if (content !== null)
        await writeFile(join(dir, part.file), content.endsWith('\n') || !content ? content : `${content}\n`);
      written.push(join(dir, part.file));
    } catch (err) {
      errors.push(`${part.file}: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  if (errors.length) {
    try {
      await writeFile(join(dir, 'errors.txt'), `${errors.join('\n')}\n`);
      written.push(join(dir, 'errors.txt'));
    } catch {
      /* nothing more can be done */
    }
  }
  return written;
}
