/**
 * The lease per cluster (README, "Sharing a cluster"). A run or `up` holds it while it works on a
 * cluster, and `down` takes it before deleting one, so a second meshproof process on this machine
 * is refused (exit 3, naming the holder's pid, command and since when) instead of changing the
 * routes under the first, taking its port-forwards or deleting its cluster. Processes that all
 * ask to share (`--shared`) work side by side; each then fails a step whose config another writer
 * changed (runner/written-config.ts). A holder that no longer runs is taken over, and that is said.
 *
 * The records are files in one folder per user on this machine: they fence meshproof processes
 * here, not on other machines; the read-back of each step's config catches any writer.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeHolder } from '../core/file-lock.js';
import { giveBackLease, giveBackLeaseSync, liveHolders, takeLease, type LeaseHolder } from '../core/lease-file.js';
import { sameProcess, thisProcess } from '../core/process-identity.js';
import type { LeaseKey, Target } from './target.js';

export type { LeaseHolder };

/** What to do about a refused run or `up`. */
export const SHARE_HINT =
  'wait for it to end, or stop it (Ctrl-C where it runs, or kill its pid); to work beside it, both must pass ' +
  '--shared, and then a step whose config another writer changes fails instead of passing';

/** What to do about a refused `down`. */
export const DOWN_HINT =
  'end that process first (Ctrl-C where it runs, or kill its pid): ' +
  'down never deletes a cluster another meshproof process works on';

export interface ClusterLease {
  readonly key: LeaseKey;
  /** What taking it found: holders that no longer ran, taken over. */
  readonly notes: string[];
  /** Gives the lease back; also done, once, if the process exits first. */
  release(): Promise<void>;
}

/** `MESHPROOF_LEASE_DIR`, else a folder of this user's under the temporary folder. */
export function leaseDir(): string {
  return process.env.MESHPROOF_LEASE_DIR || join(tmpdir(), `meshproof-${process.getuid?.() ?? 'user'}`, 'leases');
}

export function leaseFile(key: LeaseKey): string {
  return join(leaseDir(), `${createHash('sha256').update(key.id).digest('hex').slice(0, 20)}.json`);
}

/** Takes the lease on the target's cluster; null for a target without one (the local mesh). */
export async function leaseCluster(
  target: Target,
  o: { shared: boolean; hint?: string },
): Promise<ClusterLease | null> {
  const key = target.leaseKey();
  if (!key) return null;
  const file = leaseFile(key);
  const { me, tookOver } = await takeLease(file, key.cluster, { shared: o.shared, hint: o.hint ?? SHARE_HINT });
  const onExit = () => giveBackLeaseSync(file, me);
  process.once('exit', onExit);
  let released = false;
  return {
    key,
    notes: tookOver.map((h) => `took over the lease on ${key.cluster} from ${describeHolder(h)}, which no longer runs`),
    release: async () => {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      await giveBackLease(file, me).catch(() => giveBackLeaseSync(file, me));
    },
  };
}

/** The other live meshproof processes holding the lease on this cluster now. */
export function othersLeasing(key: LeaseKey | null): LeaseHolder[] {
  if (!key) return [];
  const me = thisProcess();
  return liveHolders(leaseFile(key)).filter((h) => !sameProcess(h, me));
}

export function describeHolders(holders: LeaseHolder[]): string {
  return holders.map(describeHolder).join('; ');
}
