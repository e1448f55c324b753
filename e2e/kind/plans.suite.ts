/**
 * Every shipped plan on the kind cluster the tutorial made (reused, not recreated) gives the
 * verdicts it gives on local and kwok (e2e/intended-verdicts.ts) and the exit code that goes with
 * them; every step that changed a route settled by reading the proxies (between plans the routing is
 * put back to the base: e2e/restore-base.ts). The failing plan leaves a
 * diagnostics folder with the real containers' logs and `kind export logs`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.js';
import { results, root } from '../cli.js';
import { intendedVerdicts, verdictsOf } from '../intended-verdicts.js';
import { planObjects, restoreBase } from '../restore-base.js';
import { built, CLUSTER, MIN, onKind } from './kind-env.js';
import { paths } from '../../src/core/paths.js';

const plans = [
  ...readdirSync(join(root, 'plans')).filter((f) => f.endsWith('.yaml')),
  ...readdirSync(join(root, 'plans', 'gateway-api')).map((f) => `gateway-api/${f}`),
].sort();

describe.skipIf(!built)('every shipped plan on kind gives the verdicts it gives on the local target', () => {
  it.each(plans)(
    '%s',
    async (file) => {
      const plan = join(root, 'plans', file);
      const run = await onKind(['run', plan, '--seed', '21']);
      const r = await results(run);
      // A plan's routes stay after it (as a user expects); the next plan starts from the base, as on kwok.
      await restoreBase(join(paths.cache, `kind-${CLUSTER}.kubeconfig`), await planObjects(plan));
      const intended = intendedVerdicts(file, await loadPlan(plan));
      expect(verdictsOf(r), run.stderr).toEqual(intended);
      expect(run.code, run.stderr).toBe(intended.outcome === 'passed' ? 0 : 1);
      expect(run.stderr).toMatch(/✓ reuse kind cluster meshproof-e2e/);
      for (const s of r.steps) if (s.propagationMs) expect(s.settledBy, `${file} ${s.name}`).toBe('proxies');
      if (intended.outcome === 'failed') await expectDiagnostics(run.reportDir);
    },
    6 * MIN,
  );
});

/** Real container logs of the reviews pods (app and sidecar) and kind's own log tree. */
async function expectDiagnostics(reportDir: string): Promise<void> {
  const dir = join(reportDir, 'diagnostics');
  const logs = readdirSync(join(dir, 'logs-default'));
  for (const v of ['v1', 'v2', 'v3']) {
    const app = logs.find((f) => new RegExp(`^reviews-${v}-.*_reviews\\.log$`).test(f));
    const proxy = logs.find((f) => new RegExp(`^reviews-${v}-.*_istio-proxy\\.log$`).test(f));
    expect(app, logs.join(', ')).toBeDefined();
    expect(proxy, logs.join(', ')).toBeDefined();
    expect(await readFile(join(dir, 'logs-default', app!), 'utf8')).toContain('stand-in listening on 9080');
    // pilot-agent's own lines, then the in-pod proxy it started as Envoy.
    const sidecar = await readFile(join(dir, 'logs-default', proxy!), 'utf8');
    expect(sidecar).toContain('Envoy command:');
    expect(sidecar).toContain('meshproof-proxy serving as sidecar');
  }
  expect(existsSync(join(dir, 'kind-logs', 'meshproof-e2e-control-plane', 'kubelet.log'))).toBe(true);
}
