/**
 * `meshproof serve`: brings the target up once (reusing what runs), then answers Argo Rollouts' analysis and
 * Flagger's webhooks with verdicts from real traffic through the target's ingress (routes.ts, verdicts.ts) until
 * interrupted. It holds the lease on the cluster like `run` (`--shared` to work beside others) and reads only the
 * controllers' objects: Rollouts, Canaries and the VirtualServices Flagger writes.
 */
import { join } from 'node:path';
import { paths } from '../../core/paths.js';
import { stepSettings, type Overrides } from '../../plan/settings.js';
import type { SessionIO } from '../../runner/session.js';
import { readControllerSplit } from '../../runner/read-split.js';
import { withCheckSession, type CheckTargetOptions } from '../../runner/check-target.js';
import { Verdicts } from './verdicts.js';
import { listen } from './server.js';

export interface ServeOptions extends CheckTargetOptions {
  port: number;
  /** The NDJSON verdict log (default reports/serve-verdicts.ndjson). */
  log?: string;
  overrides: Overrides;
}

export const DEFAULT_PORT = 8099;

export async function serve(o: ServeOptions, io: SessionIO): Promise<void> {
  const settings = stepSettings(undefined, undefined, o.overrides);
  await withCheckSession(o, io, async (session, target) => {
    const log = o.log ?? join(paths.reports, 'serve-verdicts.ndjson');
    const verdicts = new Verdicts(
      { readSplit: (src) => readControllerSplit(target, src), check: (spec) => session.check(spec, o.signal) },
      { settings, log },
    );
    const serving = await listen(o.port, verdicts);
    io.stderr.write(
      `meshproof serve: ${serving.url} (/healthz, /argo/verify, /flagger/…), traffic through ` +
        `${await target.ingressUrl()}, verdicts logged to ${log}; Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
    await serving.close();
  });
}
