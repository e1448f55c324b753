/**
 * A lease record: which processes work on one subject (a cluster) now. A holder is exclusive, or
 * shared with other holders that share; a second exclusive holder, or a sharer beside an exclusive
 * one, is refused with who holds it. A holder that no longer runs (killed, or gone without giving
 * the lease back) is dropped when the next process takes the lease, and that process is told.
 * Every change happens under a lock file (file-lock.ts); the record is rewritten whole, owner-only.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EnvironmentError } from './errors.js';
import { describeHolder, withFileLock, withFileLockSync, type LockHolder } from './file-lock.js';
import { commandLine, isAlive, sameProcess, thisProcess } from './process-identity.js';
import { writePrivateFile, writePrivateFileSync } from './private-file.js';

export interface LeaseHolder extends LockHolder {
  /** Whether it lets others that share work beside it. */
  shared: boolean;
}

interface LeaseRecord {
  subject: string;
  holders: LeaseHolder[];
}

export interface TakenLease {
  /** This process, as the record holds it. */
  me: LeaseHolder;
  /** Holders found in the record that no longer run, dropped from it now. */
  tookOver: LeaseHolder[];
}

/** Refused: live holders that this request cannot work beside. Exit 3, as any environment problem. */
export class LeaseHeldError extends EnvironmentError {
  constructor(
    readonly subject: string,
    readonly holders: LeaseHolder[],
    options: { shared: boolean; hint?: string },
  ) {
    const who = holders.map((h) => `${describeHolder(h)}${h.shared ? ', shared' : ''}`).join('; ');
    const why = options.shared && holders.some((h) => !h.shared) ? ', which did not ask to share it' : '';
    super(
      `${subject} is in use by another meshproof process: ${who}${why}`,
      options.hint ? { hint: options.hint } : {},
    );
  }
}

const LOCK_TIMEOUT_MS = 10_000;

export async function takeLease(
  file: string,
  subject: string,
  o: { shared: boolean; command?: string; hint?: string },
): Promise<TakenLease> {
  const me: LeaseHolder = {
    ...thisProcess(),
    command: o.command ?? commandLine(),
    since: new Date().toISOString(),
    shared: o.shared,
  };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  return withFileLock(lockOf(file), { what: `the lease on ${subject}`, timeoutMs: LOCK_TIMEOUT_MS }, async () => {
    const record = await readRecord(file);
    const others = record.holders.filter((h) => !sameProcess(h, me));
    const tookOver = others.filter((h) => !isAlive(h));
    const live = others.filter((h) => isAlive(h));
    const blocking = live.filter((h) => !(h.shared && me.shared));
    if (blocking.length)
      throw new LeaseHeldError(subject, blocking, { shared: me.shared, ...(o.hint ? { hint: o.hint } : {}) });
    await writeRecord(file, { subject, holders: [...live, me] });
    return { me, tookOver };
  });
}

/** Drops this holder from the record (and the record, once nobody holds it). */
export async function giveBackLease(file: string, me: LeaseHolder): Promise<void> {
  await withFileLock(lockOf(file), { what: 'a lease', timeoutMs: LOCK_TIMEOUT_MS }, async () => {
    const record = await readRecord(file);
    const rest = record.holders.filter((h) => !sameProcess(h, me) && isAlive(h));
    if (rest.length) await writeRecord(file, { ...record, holders: rest });
    else await rm(file, { force: true });
  });
}

/** The same for a process that is exiting: once, without waiting; a holder left behind is dropped as gone later. */
export function giveBackLeaseSync(file: string, me: LeaseHolder): void {
  withFileLockSync(lockOf(file), () => {
    const record = readRecordSync(file);
    const rest = record.holders.filter((h) => !sameProcess(h, me) && isAlive(h));
    if (rest.length) writePrivateFileSync(file, serialize({ ...record, holders: rest }));
    else rmSync(file, { force: true });
  });
}

/** The holders that still run, read without the lock (a look, not a decision to take the lease). */
export function liveHolders(file: string): LeaseHolder[] {
  return readRecordSync(file).holders.filter((h) => isAlive(h));
}

function lockOf(file: string): string {
  return `${file}.lock`;
}

async function readRecord(file: string): Promise<LeaseRecord> {
  return parse(await readFile(file, 'utf8').catch(() => ''));
}

function readRecordSync(file: string): LeaseRecord {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return { subject: '', holders: [] };
  }
}

function parse(text: string): LeaseRecord {
  try {
    const r = JSON.parse(text) as LeaseRecord;
    return { subject: String(r.subject ?? ''), holders: Array.isArray(r.holders) ? r.holders : [] };
  } catch {
    return { subject: '', holders: [] };
  }
}

async function writeRecord(file: string, r: LeaseRecord): Promise<void> {
  await writePrivateFile(file, serialize(r));
}

function serialize(r: LeaseRecord): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
