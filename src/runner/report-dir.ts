import { mkdir, writeFile, rm, stat, access, constants } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { paths } from '../core/paths.js';

/** `reports/<timestamp>-<plan>` unless the user named a folder. */
export function defaultReportDir(plan: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(paths.reports, `${stamp}-${plan}`);
}

/**
 * Creates the report folder and proves it can be written, before any traffic is sent: a run whose
 * evidence cannot be kept is bad input (exit 2), not something to discover at the end.
 */
export async function prepareReportDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  try {
    // Node's recursive mkdir can spin forever under pseudo-filesystems such as /proc; ask the
    // nearest existing parent first, so an unusable place is refused at once.
    await writableAncestor(abs);
    await mkdir(abs, { recursive: true });
    const probe = join(abs, '.write-test');
    await writeFile(probe, '');
    await rm(probe);
  } catch (err) {
    throw new InputError([{ file: abs, field: '--report-dir', message: `cannot write the report folder: ${(err as NodeJS.ErrnoException).code ?? err}` }], { cause: err });
  }
  return abs;
}

async function writableAncestor(path: string): Promise<void> {
  for (let p = path; ; p = dirname(p)) {
    const s = await stat(p).catch(() => null);
    if (s) {
      if (!s.isDirectory()) throw Object.assign(new Error(`${p} is not a folder`), { code: 'ENOTDIR' });
      if (p.startsWith('/proc') || p.startsWith('/sys')) throw Object.assign(new Error(`${p} is a kernel filesystem`), { code: 'EROFS' });
      await access(p, constants.W_OK);
      return;
    }
    if (dirname(p) === p) return;
  }
}
