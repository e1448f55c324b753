/**
 * Preflight for the kind target: fast and time-bounded, so a machine without a Docker daemon hears
 * so within seconds (exit 3) instead of after a kind timeout.
 */
import { createServer } from 'node:net';
import { EnvironmentError } from '../../core/errors.js';
import { type CommandRunner, zxRunner } from '../../core/process.js';
import { dockerState, type DockerInfo } from './docker.js';
import { KindCli, parseKindVersion } from './kind-cli.js';

export const NO_DOCKER_HINT =
  'start Docker, or run without it: `--target local` (the rehearsal mesh); ' +
  '`meshproof doctor` checks every prerequisite';

export function kindInstallHint(version: string): string {
  return (
    `install kind ${version}: \`go install sigs.k8s.io/kind@${version}\`, ` +
    `or download https://kind.sigs.k8s.io/dl/${version}/kind-<os>-<arch> and check it against its .sha256sum`
  );
}

export interface PreflightResult {
  docker: DockerInfo;
  kindVersion: string;
  /** Non-fatal findings (a different kind version), for a status line. */
  warnings: string[];
}

/** Docker daemon and kind, probed in parallel; throws an EnvironmentError naming the first missing. cgroup v1 warns. */
export async function kindPreflight(
  runner: CommandRunner,
  kind: KindCli,
  expectKind: string,
  timeoutMs = 4000,
): Promise<PreflightResult> {
  const [docker, kindText] = await Promise.all([dockerState(runner, timeoutMs), kind.version(timeoutMs)]);
  if (!docker.ok) {
    const what =
      docker.reason === 'no-client'
        ? 'Docker is not installed'
        : `the Docker daemon is not reachable (${docker.detail})`;
    throw new EnvironmentError(`cannot use the kind target: ${what}`, { hint: NO_DOCKER_HINT });
  }
  if (kindText === null)
    throw new EnvironmentError('cannot use the kind target: the kind command is not installed', {
      hint: kindInstallHint(expectKind),
    });
  const kindVersion = parseKindVersion(kindText) ?? kindText;
  const warnings =
    kindVersion === expectKind ? [] : [`kind ${kindVersion} found, meshproof is pinned to ${expectKind}`];
  if (docker.info.cgroupVersion && docker.info.cgroupVersion !== '2')
    warnings.push(
      `Docker runs with cgroup v${docker.info.cgroupVersion}, which Kubernetes ≥ 1.35 deprecates: the cluster is ` +
        'created with kubelet failCgroupV1: false and kubeadm SystemVerification skipped',
    );
  return { docker: docker.info, kindVersion, warnings };
}

/** True when `kind version` answers within the time bound. */
export async function kindUsable(runner: CommandRunner = zxRunner, timeoutMs = 3000): Promise<boolean> {
  return (await new KindCli(runner).version(timeoutMs)) !== null;
}

/** Whether a TCP port can be bound on `host` right now. */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
