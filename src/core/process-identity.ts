/**
 * Who a process is, beyond its pid. A pid is given to a new process once the old one has ended, so
 * a record of "pid N" (a lease holder, a lock, the process that started the kwok control plane)
 * also keeps when that process started (Linux: /proc/<pid>/stat), and pid N counts as the same
 * process only while both still match.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface ProcessRef {
  pid: number;
  /** Its start time in clock ticks after boot (/proc/<pid>/stat, field 22); null where there is no /proc. */
  start: string | null;
}

/** `start` of a running pid; null when it does not run or the platform has no /proc. */
export function processStart(pid: number): string | null {
  const fields = statFields(pid);
  return fields?.[19] ?? null;
}

export function thisProcess(): ProcessRef {
  return { pid: process.pid, start: processStart(process.pid) };
}

export function sameProcess(a: ProcessRef, b: ProcessRef): boolean {
  return a.pid === b.pid && a.start === b.start;
}

/** Whether the process a record names still runs: same pid, same start, not a zombie. */
export function isAlive(p: ProcessRef): boolean {
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    // Another user's process: it exists, and this one may not signal it.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const fields = statFields(p.pid);
  if (!fields) return process.platform !== 'linux';
  // Field 3, the state: a zombie has ended and only waits for its parent to read its exit status.
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return p.start === null || fields[19] === p.start;
}

/**
 * How this process was started, as a person would type it: `meshproof run plans/canary.yaml
 * --target kwok`, for the lease holder's record and the messages that name it.
 */
export function commandLine(argv: readonly string[] = process.argv): string {
  const script = argv[1] ? basename(argv[1]).replace(/\.[cm]?[jt]s$/, '') : basename(argv[0] ?? 'node');
  return [script, ...argv.slice(2)].map(shellWord).join(' ');
}

function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
