/**
 * Smoke test of what `npm run kind:build` made: a one-node kind cluster from the built node image
 * with the config pieces this host needs (src/targets/kind/host/node-config.ts), its node and every
 * kube-system pod Ready, then deleted, the host's sysctls put back, and dockerd stopped if this run
 * started it. Prints how long each part took.
 *
 *   npm run kind:smoke             (as root, after npm run kind:build)
 *   npm run kind:smoke -- --keep   leave the cluster (and a dockerd this run started) running
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { paths } from '../src/core/paths.js';
import { formatMs } from '../src/core/duration.js';
import { checked, zxRunner } from '../src/core/process.js';
import { readKindBuildManifest } from '../src/targets/kind/build/build.js';
import { dockerState } from '../src/targets/kind/docker.js';
import { kindConfig } from '../src/targets/kind/kind-config.js';
import { describeStop, ensureDockerd, stopDockerd } from '../src/targets/kind/host/dockerd.js';
import { hostRecordFile, recordHost, restoreHost } from '../src/targets/kind/host/host-record.js';
import { localNodeConfig, withLocalNodeConfig } from '../src/targets/kind/host/node-config.js';
import { hostStateDir, machineDir } from '../src/targets/kind/host/state-dir.js';

const CLUSTER = 'meshproof-smoke';
const keep = process.argv.includes('--keep');
const stateDir = hostStateDir();
const work = join(paths.cache, 'kind-smoke');
const kubeconfig = join(work, 'kubeconfig');
const timings: [string, number][] = [];

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([name, Date.now() - t0]);
    console.log(`${name}: ${formatMs(Date.now() - t0)}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const manifest = readKindBuildManifest(machineDir());
if (!manifest) {
  console.error('no kind build found: run `npm run kind:build` first');
  process.exit(3);
}
const run = (cmd: string, args: string[], timeoutMs = 10 * 60_000) => checked(zxRunner, cmd, args, { timeoutMs });
const kubectl = (args: string[], timeoutMs?: number) =>
  run(manifest.kubectl, ['--kubeconfig', kubeconfig, ...args], timeoutMs);

let startedDocker = false;
let created = false;
const t0 = Date.now();
const NODE_INFO = '{.items[0].status.nodeInfo.kubeletVersion} {.items[0].status.nodeInfo.containerRuntimeVersion}';
try {
  const docker = await timed('dockerd', () =>
    ensureDockerd({ runner: zxRunner, stateDir, capfilter: manifest.capfilter, onProgress: console.log }),
  );
  startedDocker = docker.started;
  if (docker.warning) console.log(`warning: ${docker.warning}`);
  const state = await dockerState(zxRunner, 10_000);
  if (!state.ok) throw new Error(`docker: ${state.detail}`);
  await run('docker', ['image', 'inspect', '--format', '{{.Id}}', manifest.nodeImage]);

  const pieces = localNodeConfig({ cgroupVersion: state.info.cgroupVersion });
  const config = withLocalNodeConfig(
    kindConfig({ nodeImage: manifest.nodeImage, hostPort: await freePort(), gatewayApiHostPort: await freePort() }),
    pieces,
  );
  await mkdir(work, { recursive: true });
  const configFile = join(work, 'kind-config.yaml');
  await writeFile(configFile, stringify(config));
  console.log(
    `cluster ${CLUSTER} from ${manifest.nodeImage} (cgroup v${state.info.cgroupVersion}; config ${configFile})`,
  );

  const record = await recordHost(hostRecordFile(stateDir, CLUSTER));
  console.log(
    `host before: ${Object.entries(record.sysctls)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}${record.absentDirs.length ? `; absent: ${record.absentDirs.join(', ')}` : ''}`,
  );

  await run(manifest.kindBinary, ['delete', 'cluster', '--name', CLUSTER, '--kubeconfig', kubeconfig]);
  created = true;
  await timed('kind create cluster', () =>
    run(manifest.kindBinary, [
      'create',
      'cluster',
      '--name',
      CLUSTER,
      '--config',
      configFile,
      '--kubeconfig',
      kubeconfig,
      '--retain',
    ]),
  );
  await timed('node Ready', () =>
    kubectl(['wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=300s'], 320_000),
  );
  await timed('kube-system pods Ready', async () => {
    // The DaemonSets' and Deployments' pods exist only once their controllers ran: wait for CoreDNS's first.
    for (
      let i = 0;
      i < 120 && !(await kubectl(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns', '-o', 'name'])).trim();
      i++
    )
      await new Promise((r) => setTimeout(r, 1000));
    return kubectl(['-n', 'kube-system', 'wait', '--for=condition=Ready', 'pods', '--all', '--timeout=300s'], 320_000);
  });
  console.log(await kubectl(['get', 'nodes', '-o', 'wide']));
  console.log(await kubectl(['get', 'pods', '-A', '-o', 'wide']));
  console.log(`node image ${(await kubectl(['get', 'nodes', '-o', `jsonpath=${NODE_INFO}`])).trim()}`);
} catch (err) {
  const e = err as Error & { hint?: string };
  console.error(`kind smoke failed: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
  process.exitCode = 1;
  if (created) {
    const logs = join(work, 'logs');
    await run(manifest.kindBinary, ['export', 'logs', logs, '--name', CLUSTER]).then(
      () => console.error(`kind export logs: ${logs}`),
      () => undefined,
    );
  }
} finally {
  if (keep) {
    console.log(
      `--keep: cluster ${CLUSTER} left running (kubeconfig ${kubeconfig})` +
        (startedDocker ? '; dockerd left running' : ''),
    );
  } else {
    if (created)
      await timed('kind delete cluster', () =>
        run(manifest.kindBinary, ['delete', 'cluster', '--name', CLUSTER, '--kubeconfig', kubeconfig]),
      ).catch((e) => console.error(`kind delete: ${(e as Error).message}`));
    const restored = await restoreHost(hostRecordFile(stateDir, CLUSTER));
    if (restored) {
      const changed = Object.entries(restored.restored).map(([k, [now, before]]) => `${k} ${now}→${before}`);
      console.log(
        `host restored: ${changed.length ? changed.join(', ') : 'no sysctl had changed'}` +
          (restored.removedDirs.length ? `; removed ${restored.removedDirs.join(', ')}` : '') +
          (restored.failures.length ? `; FAILED: ${restored.failures.join('; ')}` : ''),
      );
      if (restored.failures.length) process.exitCode = 1;
    }
    if (startedDocker) {
      console.log(describeStop(await stopDockerd(stateDir)));
    }
  }
  console.log(
    `\nkind smoke ${process.exitCode ? 'FAILED' : 'passed'} in ${formatMs(Date.now() - t0)}: ` +
      timings.map(([n, ms]) => `${n} ${formatMs(ms)}`).join(', '),
  );
}
