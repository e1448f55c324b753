/**
 * Builds the kwok target's control plane (kube-apiserver, kube-controller-manager, kube-scheduler,
 * kubectl, etcd, kwok, istioctl, pilot-discovery) from the Go modules in tools/controlplane/ into
 * .cache/meshproof/bin/, and prints how long each module took. Binaries already built from the same
 * go.mod, go.sum and ldflags are kept.
 *
 *   npm run controlplane:build
 */
import { paths } from '../src/core/paths.js';
import { formatMs } from '../src/core/duration.js';
import { zxRunner } from '../src/core/process.js';
import { buildControlPlane } from '../src/targets/kwok/control-plane/build.js';
import { binDir } from '../src/targets/kwok/control-plane/binaries.js';

const t0 = Date.now();
try {
  const built = await buildControlPlane({ cacheDir: paths.cache, runner: zxRunner, onProgress: (m) => console.log(m) });
  for (const b of built)
    console.log(
      `${b.id}: ${b.ms === null ? 'up to date (stamp matches)' : `built in ${formatMs(b.ms)}`} — ` +
        `${b.binaries.join(', ')}`,
    );
  console.log(`control plane binaries in ${binDir(paths.cache)}; build time ${formatMs(Date.now() - t0)}`);
} catch (err) {
  const e = err as Error & { hint?: string };
  console.error(`controlplane build failed: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
  process.exitCode = 3;
}
