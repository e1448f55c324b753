/**
 * Shared by the kind e2e suites: whether `npm run kind:build` has made what they need (node image,
 * Istio and Bookinfo images), the cluster they use, and one loud line when they are skipped. With
 * MESHPROOF_REQUIRE_KIND=1 (set by .ci/run, which builds them first) a missing build fails instead.
 */
import { it } from 'vitest';
import { machineDir } from '../../src/targets/kind/host/state-dir.js';
import { readKindBuildManifest } from '../../src/targets/kind/build/manifest.js';
import { meshproof, type CliOptions, type CliRun } from '../cli.js';

const manifest = readKindBuildManifest(machineDir());
export const built = Boolean(manifest?.meshImages && manifest.gatewayApiDir);
export const required = process.env.MESHPROOF_REQUIRE_KIND === '1';
export const kubectl = manifest?.kubectl ?? 'kubectl';

/** Its own name and host port, so a user's `meshproof` cluster is never touched. */
export const CLUSTER = 'meshproof-e2e';
export const HOST_PORT = '18180';
export const MIN = 60_000;

/** The command line against the e2e cluster, on the local build's images. */
export function onKind(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return meshproof([...args, '--target', 'kind', '--name', CLUSTER, '--host-port', HOST_PORT], {
    timeoutMs: 10 * MIN,
    ...opts,
    env: { MESHPROOF_KIND_IMAGES: 'local', ...opts.env },
  });
}

const SKIP_REASON =
  'kind e2e SKIPPED: no local kind build with Istio and Bookinfo images; run `npm run kind:build` (as root)';

/** Call at the top of the suite file: prints the reason when skipping, fails when the build is required. */
export function announce(): void {
  if (built) return;
  if (required) {
    it('has the local kind build (MESHPROOF_REQUIRE_KIND=1)', () => {
      throw new Error(SKIP_REASON);
    });
    return;
  }
  console.warn(`\n*** ${SKIP_REASON} ***\n`);
}

/** When this process loaded the suite: a dockerd meshproof started after it is the suite's to stop. */
export const SUITE_START = Date.now();
