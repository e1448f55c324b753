/**
 * The diagnostics bundle: each part written to its own file, each failure recorded in
 * `errors.txt` instead of stopping the rest. Never throws.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DiagnosticPart {
  /** File name inside the bundle folder (for a part that writes a folder, its name). */
  file: string;
  /** Returns the file's content, or null when the part wrote its own files. */
  collect: () => Promise<string | null>;
}

export async function writeDiagnostics(dir: string, parts: readonly DiagnosticPart[]): Promise<string[]> {
  const written: string[] = [];
  const errors: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
  } catch {
    return [];
  }
  for (const part of parts) {
    try {
      const content = await part.collect();
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
