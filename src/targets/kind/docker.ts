/**
 * Docker, as the kind target needs it: is a daemon reachable (fast, time-bounded, for preflight and
 * `--target auto`), what it reports (cgroup version, architecture), and pulling/saving images.
 */
import type { CommandRunner } from '../../core/process.js';
import { zxRunner } from '../../core/process.js';

export interface DockerInfo {
  serverVersion: string;
  cgroupVersion: string;
  /** `amd64` or `arm64`, as image platforms name it. */
  arch: string;
  memTotal: number;
  cpus: number;
}

export type DockerState =
  { ok: true; info: DockerInfo } | { ok: false; reason: 'no-client' | 'no-daemon' | 'timeout'; detail: string };

export const DOCKER_PROBE_TIMEOUT_MS = 4000;

/** `docker info` as JSON, bounded in time: a missing client, a dead daemon and a hang all answer quickly. */
export async function dockerState(
  runner: CommandRunner = zxRunner,
  timeoutMs = DOCKER_PROBE_TIMEOUT_MS,
): Promise<DockerState> {
  const r = await runner.run('docker', ['info', '--format', '{{json .}}'], { timeoutMs });
  if (r.exitCode === 127) return { ok: false, reason: 'no-client', detail: 'the docker command is not installed' };
  if (r.timedOut) return { ok: false, reason: 'timeout', detail: `docker info did not answer within ${timeoutMs}ms` };
  let info: any;
  try {
    info = JSON.parse(r.stdout);
  } catch {
    info = undefined;
  }
  // Without a daemon, `docker info` prints the client part and a server error, exit 1.
  if (r.exitCode !== 0 || !info?.ServerVersion) {
    const why = (r.stderr || info?.ServerErrors?.join('; ') || '').trim().split('\n').pop() ?? '';
    return { ok: false, reason: 'no-daemon', detail: why || 'the Docker daemon is not reachable' };
  }
  return {
    ok: true,
    info: {
      serverVersion: String(info.ServerVersion),
      cgroupVersion: String(info.CgroupVersion ?? ''),
      arch: normaliseArch(String(info.Architecture ?? '')),
      memTotal: Number(info.MemTotal ?? 0),
      cpus: Number(info.NCPU ?? 0),
    },
  };
}

/** True when a Docker daemon answers within the time bound. */
export async function dockerUsable(
  runner: CommandRunner = zxRunner,
  timeoutMs = DOCKER_PROBE_TIMEOUT_MS,
): Promise<boolean> {
  return (await dockerState(runner, timeoutMs)).ok;
}

function normaliseArch(a: string): string {
  if (a === 'x86_64' || a === 'amd64') return 'amd64';
  if (a === 'aarch64' || a === 'arm64') return 'arm64';
  return a;
}

export const dockerArgs = {
  pull: (image: string, platform: string) => ['pull', '--platform', platform, image],
  /** Single-platform archive: kind's loader fails on multi-platform ones from the containerd store. */
  save: (image: string, platform: string, file: string) => ['image', 'save', '--platform', platform, '-o', file, image],
  repoDigest: (image: string) => ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', image],
  portOf: (container: string, port: string) => ['port', container, port],
};
