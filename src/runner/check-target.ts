/**
 * The target `verify` and `serve` check through: created, leased like a run's (`--shared` to work beside other
 * meshproof processes), brought up once into a CheckSession, and released whatever `use` does.
 */
import { randomInt } from 'node:crypto';
import { loadManifestFile } from '../kube/manifest.js';
import { paths } from '../core/paths.js';
import { createTarget, type TargetRequest } from '../targets/select.js';
import { leaseCluster } from '../targets/lease.js';
import type { Target } from '../targets/target.js';
import type { SessionIO } from './session.js';
import { CheckSession } from './one-check.js';

export interface CheckTargetOptions {
  target: TargetRequest;
  shared: boolean;
  /** Seeds the local mesh's routing draws and the kwok data plane's (a random one where absent). */
  seed?: number;
  signal: AbortSignal;
}

export async function withCheckSession<T>(
  o: CheckTargetOptions,
  io: SessionIO,
  use: (session: CheckSession, target: Target) => Promise<T>,
): Promise<T> {
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  const target = await createTarget({ ...o.target, seed: o.seed ?? randomInt(0, 2 ** 31 - 1), stopAtEnd: true }, io);
  const lease = await leaseCluster(target, { shared: o.shared }).catch(async (err: unknown) => {
    await target.close();
    throw err;
  });
  for (const n of lease?.notes ?? []) io.stderr.write(`${n}\n`);
  let session: CheckSession | null = null;
  try {
    session = await CheckSession.open(target, { base, signal: o.signal });
    return await use(session, target);
  } finally {
    try {
      await session?.close();
      await target.close();
    } finally {
      await lease?.release();
    }
  }
}
