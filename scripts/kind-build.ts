/**
 * Builds kind and a kind node image offline, from the project's own files, Debian packages and Go
 * modules, into .cache/meshproof/kind-build/ (src/targets/kind/build/build.ts), and prints how long
 * each part took. A second run rebuilds nothing. Needs root (debootstrap, chroot, dockerd). The Istio
 * binaries (pilot-agent, pilot-discovery, istioctl) come from the control-plane build, run first.
 *
 *   npm run kind:build                  build; stop dockerd afterwards if this run started it
 *   npm run kind:build -- --keep-docker build; leave a dockerd this run started running
 *   npm run kind:build -- stop-docker   stop the dockerd meshproof started (never anyone else's)
 */
import { paths } from '../src/core/paths.js';
import { formatMs } from '../src/core/duration.js';
import { zxRunner } from '../src/core/process.js';
import { buildKindNode, statusText, type IstioBinaries, type PartTiming } from '../src/targets/kind/build/build.js';
import { buildControlPlane } from '../src/targets/kwok/control-plane/build.js';
import { binary, buildKey, toolModules, XDS_DESCRIPTORS_FILE } from '../src/targets/kwok/control-plane/binaries.js';
import { describeStop, readDockerdRecord, stopDockerd } from '../src/targets/kind/host/dockerd.js';
import { hostStateDir, machineDir } from '../src/targets/kind/host/state-dir.js';

const args = process.argv.slice(2);
const stateDir = hostStateDir();

/** The control-plane build of tools/controlplane/istio (cached by its stamp), as the kind build takes it. */
async function istioBinaries(signal: AbortSignal): Promise<IstioBinaries> {
  const istio = toolModules().find((m) => m.id === 'istio')!;
  await buildControlPlane({
    cacheDir: paths.cache,
    runner: zxRunner,
    modules: [istio],
    signal,
    onProgress: console.log,
  });
  return {
    key: buildKey(istio),
    pilotAgent: binary(paths.cache, 'pilot-agent'),
    pilotDiscovery: binary(paths.cache, 'pilot-discovery'),
    istioctl: binary(paths.cache, 'istioctl'),
    descriptors: binary(paths.cache, XDS_DESCRIPTORS_FILE),
    gatewayApiFiles: Object.fromEntries(
      istio.files.filter((f) => f.startsWith('gateway-api/')).map((f) => [f, binary(paths.cache, f)]),
    ),
  };
}

async function stopOurs(): Promise<void> {
  console.log(describeStop(await stopDockerd(stateDir)));
}

function table(timings: PartTiming[]): string {
  const w = Math.max(...timings.map((t) => t.part.length));
  return timings.map((t) => `  ${t.part.padEnd(w)}  ${statusText(t)}`).join('\n');
}

if (args[0] === 'stop-docker') {
  await stopOurs();
} else {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    console.error(`\n${sig}: stopping the build (cleaning up)`);
    controller.abort();
    process.exitCode = 130;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const t0 = Date.now();
  const before = await readDockerdRecord(stateDir);
  try {
    const r = await buildKindNode({
      cacheDir: machineDir(),
      istio: await istioBinaries(controller.signal),
      runner: zxRunner,
      onProgress: (m) => console.log(m),
      signal: controller.signal,
    });
    const built = r.timings.filter((t) => t.status === 'built').map((t) => t.part);
    const loaded = r.timings.filter((t) => t.status === 'loaded').map((t) => t.part);
    const what = [
      ...(built.length ? [`${built.join(', ')} built`] : ['nothing rebuilt: every part was up to date']),
      ...(loaded.length ? [`${loaded.join(', ')} loaded into Docker from the cache`] : []),
    ];
    console.log(`\nkind build (${what.join('; ')}) in ${formatMs(r.totalMs)}:`);
    console.log(table(r.timings));
    console.log(
      `\nnode image: ${r.manifest.nodeImage}\nkind:       ${r.manifest.kindBinary}\nkubectl:    ${r.manifest.kubectl}` +
        `\nIstio:      ${r.manifest.istioHub}/{pilot,proxyv2}:${r.manifest.istioTag}` +
        `\nBookinfo:   ${r.manifest.bookinfoHub}/examples-bookinfo-*:${r.manifest.bookinfoTag}`,
    );
  } catch (err) {
    const e = err as Error & { hint?: string };
    console.error(`kind build failed after ${formatMs(Date.now() - t0)}: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
    if (process.exitCode !== 130) process.exitCode = 3;
  } finally {
    // This run started dockerd when a record is there now that was not before (also after a failure).
    const after = await readDockerdRecord(stateDir);
    const startedHere = after !== null && after.pid !== before?.pid;
    if (startedHere && args.includes('--keep-docker'))
      console.log(`dockerd (pid ${after.pid}) left running; \`npm run kind:build -- stop-docker\` stops it`);
    else if (startedHere) await stopOurs();
  }
}
