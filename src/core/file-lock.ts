/**
 * A lock file around a read-modify-write that two meshproof processes may do at once (a cluster's
 * lease record, repairs to the kwok control plane). The file is made complete and then linked into
 * place, so it exists only whole; it names its holder (pid, start, command, since). A lock whose
 * holder no longer runs is taken over. Waiting has an interval and a deadline, and the timeout says
 * who held the lock.
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { link, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { EnvironmentError } from './errors.js';
import { commandLine, isAlive, sameProcess, thisProcess, type ProcessRef } from './process-identity.js';
import { poll } from './wait.js';

export interface LockHolder extends ProcessRef {
  command: string;
  since: string;
}

export interface LockOptions {
  /** What the lock guards, for the timeout message: "the lease on kind cluster meshproof". */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

export async function withFileLock<T>(file: string, o: LockOptions, fn: () => Promise<T>): Promise<T> {
  const me = holder();
  await poll({
    what: `the lock on ${o.what} (${file})`,
    intervalMs: o.intervalMs ?? 50,
    timeoutMs: o.timeoutMs,
    ...(o.signal ? { signal: o.signal } : {}),
    check: async () => {
      const held = await tryLock(file, me);
      return held === null ? { done: true, value: undefined } : { done: false, observed: `held by ${held}` };
    },
  }).catch((err) => {
    if (o.signal?.aborted) throw err;
    throw new EnvironmentError((err as Error).message, {
      cause: err,
      hint: `if no meshproof process runs, remove ${file}`,
    });
  });
  try {
    return await fn();
  } finally {
    await unlock(file, me);
  }
}

/** Once, without waiting: runs `fn` under the lock, or returns undefined when another process holds it. */
export function withFileLockSync<T>(file: string, fn: () => T): T | undefined {
  const me = holder();
  const text = `${JSON.stringify(me)}\n`;
  const tmp = tempName(file, me);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(tmp, text);
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
      const other = readHolderSync(file);
      if (other && isAlive(other)) return undefined;
      try {
        unlinkSync(file);
      } catch {
        /* gone already */
      }
      continue;
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* not made */
      }
    }
    try {
      return fn();
    } finally {
      if (sameHolder(readHolderSync(file), me)) unlinkSync(file);
    }
  }
  return undefined;
}

/** "pid 4242 (meshproof run plans/canary.yaml --target kwok) since 2026-12-07T10:26:00.000Z" */
export function describeHolder(h: Pick<LockHolder, 'pid' | 'command' | 'since'>): string {
  return `pid ${h.pid} (${h.command}) since ${h.since}`;
}

function tempName(file: string, me: LockHolder): string {
  return `${file}.${me.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
}

function holder(): LockHolder {
  return { ...thisProcess(), command: commandLine(), since: new Date().toISOString() };
}

/** null once this process holds the lock; else who holds it. */
async function tryLock(file: string, me: LockHolder): Promise<string | null> {
  const tmp = tempName(file, me);
  await writeFile(tmp, `${JSON.stringify(me)}\n`);
  try {
    await link(tmp, file);
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  const other = await readFile(file, 'utf8').then(parseHolder, () => null);
  if (other && isAlive(other)) return describeHolder(other);
  // Its holder is gone (or the file is not a lock this code wrote): taken over on the next try.
  await unlink(file).catch(() => undefined);
  return other ? `${describeHolder(other)}, no longer running` : 'an unreadable lock file, removed';
}

async function unlock(file: string, me: LockHolder): Promise<void> {
  const now = await readFile(file, 'utf8').then(parseHolder, () => null);
  if (sameHolder(now, me)) await unlink(file).catch(() => undefined);
}

function readHolderSync(file: string): LockHolder | null {
  try {
    return parseHolder(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h?.pid === 'number' ? h : null;
  } catch {
    return null;
  }
}

function sameHolder(a: LockHolder | null, b: LockHolder): boolean {
  return a !== null && sameProcess(a, b) && a.since === b.since;
}
