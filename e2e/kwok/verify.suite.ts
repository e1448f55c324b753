/**
 * Issue 26, "Done when" 2: `meshproof verify` on a running kwok target, through the real command line. A 50/50
 * VirtualService for reviews is applied to the API server (the real istiod configures the proxies the verify process
 * serves); `--weights v1=50,v3=50` passes (exit 0) and `--weights v1=80,v3=20` fails (exit 1), each within the budget
 * (BENCHMARKS.md: a 50/50 pass takes 338 requests on average, 583 at the 95th percentile; the fail of a wrong split is
 * quicker). Then the base routing is restored and this process serves the pods again for the suites that follow.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/core/paths.js';
import { loadManifestFile, type LoadedObject } from '../../src/kube/manifest.js';
import { ControlPlane } from '../../src/targets/kwok/control-plane/control-plane.js';
import { meshproof, root } from '../cli.js';
import { restoreBase } from '../restore-base.js';
import { built } from './kwok-env.js';
import { sharedTarget, upAgain } from './shared-target.js';

const MIN = 60_000;
const cp = new ControlPlane(paths.cache);
const FIFTY_FIFTY = [
  'manifests/istio/destination-rule-all.yaml',
  'manifests/routing/virtual-service-reviews-50-v3.yaml',
];

describe.skipIf(!built)('verify on kwok', () => {
  let applied: LoadedObject[] = [];

  beforeAll(async () => {
    const target = await sharedTarget();
    applied = (await Promise.all(FIFTY_FIFTY.map((f) => loadManifestFile(join(root, f))))).flat();
    await target.apply(applied);
  }, 5 * MIN);

  afterAll(async () => {
    await restoreBase(cp.layout.kubeconfig, applied);
    await upAgain();
  }, 5 * MIN);

  async function verify(weights: string) {
    const run = await meshproof(['verify', '--target', 'kwok', '--weights', weights, '--seed', '21', '--json'], {
      timeoutMs: 5 * MIN,
    });
    return { run, out: JSON.parse(run.stdout || '{}') as { verdict?: string; requests?: number } };
  }

  it(
    'passes the 50/50 in place (exit 0) and fails 80/20 against it (exit 1), within the budget',
    async () => {
      const pass = await verify('v1=50,v3=50');
      expect(pass.run.code, pass.run.stderr).toBe(0);
      expect(pass.out.verdict).toBe('passed');
      expect(pass.out.requests).toBeLessThanOrEqual(3000);
      const fail = await verify('v1=80,v3=20');
      expect(fail.run.code, fail.run.stderr).toBe(1);
      expect(fail.out.verdict).toBe('failed');
      expect(fail.out.requests).toBeLessThanOrEqual(3000);
      console.info(`verify on kwok: 50/50 passed after ${pass.out.requests}, 80/20 failed after ${fail.out.requests}`);
    },
    10 * MIN,
  );
});
