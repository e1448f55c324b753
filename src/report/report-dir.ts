/**
 * The report folder of one run. A folder holds exactly one run: the default name is unique (time
 * to the millisecond, the plan name as one safe segment, `-2`, `-3`… when taken, created
 * exclusively so two runs started together get two folders), and a named folder that already
 * holds files is refused unless `--overwrite` empties it — and only when it is a report folder.
 * The README's "Reports" section states these rules.
 */
import { mkdir, writeFile, rm, stat, access, readdir, constants } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { paths } from '../core/paths.js';
import { pathSegment } from '../core/path-segment.js';

/** The file that marks a folder as a meshproof report (written as the run starts). */
const RESULTS_FILE = 'results.json';
/** Names tried (`…-2` to `…-N`) before giving up on a unique default folder. */
const MAX_SUFFIX = 1000;

/** Where default report folders go: `reports/` under the current folder, or `MESHPROOF_REPORTS_DIR`. */
export function reportsRoot(): string {
  return resolve(process.env.MESHPROOF_REPORTS_DIR || paths.reports);
}

/** `2026-12-02T132749.123Z-reviews-canary`: sorts by time, one segment whatever the plan is called. */
export function defaultReportName(plan: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/:/g, '');
  return `${stamp}-${pathSegment(plan, { fallback: 'plan', max: 64 })}`;
}

export interface ReportDirRequest {
  /** `--report-dir`; absent: a new folder under the reports root. */
  dir?: string;
  planName: string;
  /** `--overwrite`: empty an existing report folder first. */
  overwrite?: boolean;
  root?: string;
  now?: Date;
}

/**
 * Creates the report folder and proves it can be written, before any traffic is sent: a run whose
 * evidence cannot be kept is bad input (exit 2), not something to discover at the end.
 */
export async function createReportDir(r: ReportDirRequest): Promise<string> {
  if (r.dir !== undefined) return prepareReportDir(r.dir, { overwrite: r.overwrite ?? false });
  const root = resolve(r.root ?? reportsRoot());
  const name = defaultReportName(r.planName, r.now);
  await usable(root, '--report-dir', async () => {
    await writableAncestor(root);
    await mkdir(root, { recursive: true });
  });
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const dir = join(root, n === 1 ? name : `${name}-${n}`);
    if (!inside(root, dir))
      throw new InputError([{ file: dir, field: 'name', message: `the report folder would lie outside ${root}` }]);
    try {
      await mkdir(dir); // not recursive: fails with EEXIST when another run took the name
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw unusable(dir, err);
    }
    await usable(dir, '--report-dir', () => probe(dir));
    return dir;
  }
  throw new InputError([
    { file: join(root, name), field: '--report-dir', message: `no free report folder name after ${MAX_SUFFIX} tries` },
  ]);
}

/** A folder the user named: created if absent; an existing one must be empty, or emptied with `overwrite`. */
export async function prepareReportDir(dir: string, o: { overwrite?: boolean } = {}): Promise<string> {
  const abs = resolve(dir);
  await usable(abs, '--report-dir', async () => {
    // Node's recursive mkdir can spin forever under pseudo-filesystems such as /proc; ask the
    // nearest existing parent first, so an unusable place is refused at once.
    await writableAncestor(abs);
    await mkdir(abs, { recursive: true });
  });
  const entries = await readdir(abs).catch((err) => Promise.reject(unusable(abs, err)));
  if (entries.length) {
    if (!o.overwrite) {
      throw new InputError([
        {
          file: abs,
          field: '--report-dir',
          message:
            'the report folder is not empty ' +
            `(${entries.length} entries${entries.includes(RESULTS_FILE) ? ', an earlier run' : ''}): ` +
            'name a new folder, or pass --overwrite to empty it first',
        },
      ]);
    }
    if (!entries.includes(RESULTS_FILE)) {
      throw new InputError([
        {
          file: abs,
          field: '--overwrite',
          message:
            'the folder holds files but no results.json: it does not look like a meshproof report folder, ' +
            'so --overwrite will not empty it',
        },
      ]);
    }
    await usable(abs, '--overwrite', () =>
      Promise.all(entries.map((e) => rm(join(abs, e), { recursive: true, force: true }))).then(() => undefined),
    );
  }
  await usable(abs, '--report-dir', () => probe(abs));
  return abs;
}

function inside(root: string, dir: string): boolean {
  const rel = relative(root, dir);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.includes('/') && !rel.includes('\\');
}

async function probe(dir: string): Promise<void> {
  const file = join(dir, '.write-test');
  await writeFile(file, '');
  await rm(file);
}

async function usable(dir: string, field: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    throw unusable(dir, err, field);
  }
}

function unusable(dir: string, err: unknown, field = '--report-dir'): InputError {
  if (err instanceof InputError) return err;
  return new InputError(
    [{ file: dir, field, message: `cannot write the report folder: ${(err as NodeJS.ErrnoException).code ?? err}` }],
    { cause: err },
  );
}

async function writableAncestor(path: string): Promise<void> {
  for (let p = path; ; p = dirname(p)) {
    const s = await stat(p).catch(() => null);
    if (s) {
      if (!s.isDirectory()) throw Object.assign(new Error(`${p} is not a folder`), { code: 'ENOTDIR' });
      if (p.startsWith('/proc') || p.startsWith('/sys'))
        throw Object.assign(new Error(`${p} is a kernel filesystem`), { code: 'EROFS' });
      await access(p, constants.W_OK);
      return;
    }
    if (dirname(p) === p) return;
  }
}
