/**
 * `meshproof serve`: brings the target up once (reusing what runs), then answers Argo Rollouts' analysis and
 * Flagger's webhooks with verdicts from real traffic through the target's ingress (routes.ts, verdicts.ts) until
 * interrupted. It holds the lease on the cluster like `run` (`--shared` to work beside others) and reads only the
 * controllers' objects: Rollouts, Canaries and the VirtualServices Flagger writes.
 */
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { loadManifestFile } from '../../kube/manifest.js';
import { paths } from '../../core/paths.js';
import { createTarget, type TargetRequest } from '../../targets/select.js';
import { leaseCluster } from '../../targets/lease.js';
import { stepSettings, type Overrides } from '../../plan/settings.js';
import type { SessionIO } from '../../runner/session.js';
import { CheckSession } from '../../runner/one-check.js';
import { readControllerSplit } from '../../runner/read-split.js';
import { Verdicts } from './verdicts.js';
import { listen } from './server.js';

export interface ServeOptions {
  target: TargetRequest;
  port: number;
  /** The NDJSON verdict log (default reports/serve-verdicts.ndjson). */
  log?: string;
  overrides: Overrides;
  shared: boolean;
  seed?: number;
  signal: AbortSignal;
}

export const DEFAULT_PORT = 8099;

export async function serve(o: ServeOptions, io: SessionIO): Promise<void> {
  const settings = stepSettings(undefined, undefined, o.overrides);
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  const target = await createTarget({ ...o.target, seed: o.seed ?? randomInt(0, 2 ** 31 - 1), stopAtEnd: true }, io);
  const lease = await leaseCluster(target, { shared: o.shared }).catch(async (err: unknown) => {
    await target.close();
    throw err;
  });
  for (const n of lease?.notes ?? []) io.stderr.write(`${n}\n`);
  let session: CheckSession | null = null;
  try {
    const s = (session = await CheckSession.open(target, { base, signal: o.signal }));
    const log = o.log ?? join(paths.reports, 'serve-verdicts.ndjson');
    const verdicts = new Verdicts(
      { readSplit: (src) => readControllerSplit(target, src), check: (spec) => s.check(spec, o.signal) },
      { settings, log },
    );
    const serving = await listen(o.port, verdicts);
    io.stderr.write(
      `meshproof serve: ${serving.url} (/healthz, /argo/verify, /flagger/…), traffic through ` +
        `${await target.ingressUrl()}, verdicts logged to ${log}; Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
    await serving.close();
  } finally {
    try {
      await session?.close();
      await target.close();
    } finally {
      await lease?.release();
    }
  }
}
