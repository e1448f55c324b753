/**
 * `meshproof doctor`: every prerequisite of the kind target, each with what was found and how to
 * fix it. All checks run in parallel and are time-bounded, so the report comes back in seconds
 * even when Docker or the network hangs. `up` can work only when every required check passes.
 */
import { access, constants, readFile, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { request } from 'undici';
import { type CommandRunner, zxRunner } from '../../core/process.js';
import { istioctlArch, istioctlCachePath } from '../../istio/install/istioctl-download.js';
import { resolveVersions, type Versions } from '../../istio/install/versions.js';
import { doctorCheck, type DoctorCheck } from '../doctor-check.js';
import { dockerState, type DockerState } from './docker.js';
import { KindCli, parseKindVersion } from './kind-cli.js';
import { DEFAULT_CACHE_DIR } from './cache.js';
import { DEFAULT_CLUSTER_NAME, DEFAULT_HOST_PORT } from './kind-config.js';
import { kindInstallHint, NO_DOCKER_HINT, portFree } from './preflight.js';
import type { KindBuildManifest } from './build/manifest.js';
import { machineDir } from './host/state-dir.js';
import { LOCAL_IMAGES_ENV, localImagesRequested, localVersions, readLocalImages } from './local-images.js';

export type { DoctorCheck };

export interface DoctorOptions {
  runner?: CommandRunner;
  clusterName?: string;
  hostPort?: number;
  cacheDir?: string;
  versions?: Partial<Versions>;
  /** Probed with GET; any HTTP answer (Docker Hub answers 401) counts as reachable. */
  registryUrl?: string;
  /** Bound on each probe. Default 5 s. */
  timeoutMs?: number;
  /** Reads /proc and /sys files; tests replace it. */
  readText?: (path: string) => Promise<string>;
  /** Free bytes where the cache lives; tests replace it. */
  freeBytes?: (path: string) => Promise<number>;
  platform?: NodeJS.Platform;
  /** The local build in use (MESHPROOF_KIND_IMAGES=local). Default: read when the environment asks for it. */
  localImages?: KindBuildManifest | null;
}

export const MIN_FREE_BYTES = 8 * 1024 ** 3;
const MIN_INOTIFY = { max_user_watches: 524_288, max_user_instances: 512 } as const;

export async function doctor(opts: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const runner = opts.runner ?? zxRunner;
  const local =
    opts.localImages !== undefined ? opts.localImages : localImagesRequested() ? readLocalImages(machineDir()) : null;
  const v = resolveVersions({ ...opts.versions, ...(local ? localVersions(local) : {}) });
  const timeoutMs = opts.timeoutMs ?? 5000;
  const cluster = opts.clusterName ?? DEFAULT_CLUSTER_NAME;
  const kind = new KindCli(runner, local?.kindBinary ?? 'kind');
  const docker = await dockerState(runner, timeoutMs);
  return Promise.all([
    Promise.resolve(dockerCheck(docker)),
    kindCheck(kind, v.kind, timeoutMs),
    cgroupCheck(docker, opts),
    inotifyCheck(opts),
    portCheck(opts.hostPort ?? DEFAULT_HOST_PORT, cluster, kind, docker.ok),
    diskCheck(opts),
    // The local build's istioctl and images stand where the download and the registry would.
    ...(local
      ? [localBuildCheck(local)]
      : [
          istioctlCheck(opts, v),
          registryCheck(opts.registryUrl ?? 'https://registry-1.docker.io/v2/', v.istioHub, timeoutMs),
        ]),
  ]);
}

function dockerCheck(d: DockerState): DoctorCheck {
  if (!d.ok)
    return doctorCheck(
      'Docker daemon',
      true,
      false,
      d.detail,
      d.reason === 'no-client' ? 'install Docker (or Docker Desktop / Colima / OrbStack)' : NO_DOCKER_HINT,
    );
  const gb = d.info.memTotal / 1024 ** 3;
  const small = gb > 0 && gb < 7.5;
  return doctorCheck(
    'Docker daemon',
    true,
    true,
    `Docker ${d.info.serverVersion}, ${d.info.cpus} CPUs, ` +
      `${gb.toFixed(1)} GB memory${small ? ' (8 GB recommended for Istio + Bookinfo)' : ''}`,
  );
}

async function kindCheck(kind: KindCli, pinned: string, timeoutMs: number): Promise<DoctorCheck> {
  const text = await kind.version(timeoutMs);
  if (text === null) return doctorCheck('kind', true, false, 'not installed', kindInstallHint(pinned));
  const found = parseKindVersion(text) ?? text;
  return doctorCheck(
    'kind',
    true,
    true,
    found === pinned ? `${found}` : `${found} (meshproof is pinned to ${pinned}; other versions may work)`,
  );
}

/**
 * cgroup v1 is a warning, not a failure: Kubernetes ≥ 1.35 deprecates it and kubelet refuses it by default, so the kind
 * target's config sets `failCgroupV1: false` and skips kubeadm's SystemVerification there (host/node-config.ts).
 */
async function cgroupCheck(d: DockerState, opts: DoctorOptions): Promise<DoctorCheck> {
  const v1 =
    'meshproof runs kind here with kubelet failCgroupV1: false and kubeadm SystemVerification skipped; ' +
    'cgroup v2 (systemd.unified_cgroup_hierarchy=1) is what Kubernetes ≥ 1.35 supports';
  const check = (v2: boolean, detail: string) =>
    doctorCheck('cgroup v2', false, v2, v2 ? detail : `${detail} (works)`, v1);
  if (d.ok && d.info.cgroupVersion)
    return check(d.info.cgroupVersion === '2', `Docker reports cgroup v${d.info.cgroupVersion}`);
  if ((opts.platform ?? process.platform) !== 'linux')
    return doctorCheck('cgroup v2', false, true, 'decided by the Docker VM (not visible from this host)');
  const read = opts.readText ?? ((p: string) => readFile(p, 'utf8'));
  const v2 = await read('/sys/fs/cgroup/cgroup.controllers').then(
    () => true,
    () => false,
  );
  return check(v2, v2 ? 'this host uses cgroup v2' : 'this host uses cgroup v1');
}

async function inotifyCheck(opts: DoctorOptions): Promise<DoctorCheck> {
  if ((opts.platform ?? process.platform) !== 'linux')
    return doctorCheck('inotify limits', false, true, 'not applicable (Docker runs in a VM)');
  const read = opts.readText ?? ((p: string) => readFile(p, 'utf8'));
  const low: string[] = [];
  const seen: string[] = [];
  for (const [key, min] of Object.entries(MIN_INOTIFY)) {
    const value = Number((await read(`/proc/sys/fs/inotify/${key}`).catch(() => 'NaN')).trim());
    seen.push(`${key}=${Number.isFinite(value) ? value : '?'}`);
    if (!(value >= min)) low.push(`fs.inotify.${key}=${min}`);
  }
  return doctorCheck(
    'inotify limits',
    false,
    low.length === 0,
    seen.join(', '),
    `sudo sysctl ${low.join(' ')} ("too many open files" in pods otherwise)`,
  );
}

async function portCheck(port: number, cluster: string, kind: KindCli, dockerOk: boolean): Promise<DoctorCheck> {
  if (await portFree(port)) return doctorCheck(`host port ${port}`, true, true, `127.0.0.1:${port} is free`);
  const ours = dockerOk && (await kind.clusters().catch(() => [] as string[])).includes(cluster);
  if (ours) return doctorCheck(`host port ${port}`, true, true, `in use by kind cluster "${cluster}" (reused by up)`);
  return doctorCheck(`host port ${port}`, true, false, `127.0.0.1:${port} is in use`, `free it, or pass --host-port N`);
}

async function diskCheck(opts: DoctorOptions): Promise<DoctorCheck> {
  const dir = resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  const free = opts.freeBytes ?? defaultFreeBytes;
  try {
    const bytes = await free(dir);
    const gb = (bytes / 1024 ** 3).toFixed(1);
    return doctorCheck(
      'disk space',
      true,
      bytes >= MIN_FREE_BYTES,
      `${gb} GB free`,
      `free at least ${MIN_FREE_BYTES / 1024 ** 3} GB (node image, Istio and Bookinfo images)`,
    );
  } catch (err) {
    return doctorCheck(
      'disk space',
      false,
      false,
      `could not be measured: ${(err as Error).message}`,
      'make sure about 8 GB are free',
    );
  }
}

/** statfs of the nearest existing folder up from `dir`. */
async function defaultFreeBytes(dir: string): Promise<number> {
  let d = dir;
  for (;;) {
    try {
      const s = await statfs(d);
      return s.bavail * s.bsize;
    } catch (err) {
      const parent = d.replace(/\/[^/]+\/?$/, '') || '/';
      if (parent === d) throw err;
      d = parent;
    }
  }
}

/** With the local build, its istioctl and image archive stand where the download and the registry would. */
async function localBuildCheck(m: KindBuildManifest): Promise<DoctorCheck> {
  const present = await Promise.all(
    [m.istioctl, m.meshImages, m.kindBinary].map((p) =>
      access(p).then(
        () => null,
        () => p,
      ),
    ),
  );
  const missing = present.filter((p): p is string => p !== null);
  return doctorCheck(
    `${LOCAL_IMAGES_ENV}=local`,
    true,
    missing.length === 0,
    missing.length
      ? `the kind build lacks ${missing.join(', ')}`
      : `node image ${m.nodeImage}, images ${m.istioHub}/*:${m.istioTag}, nothing pulled`,
    'run `npm run kind:build` (as root)',
  );
}

async function istioctlCheck(opts: DoctorOptions, v: Versions): Promise<DoctorCheck> {
  let arch: string;
  try {
    arch = istioctlArch(opts.platform);
  } catch (err) {
    return doctorCheck(
      `istioctl ${v.istio}`,
      true,
      false,
      (err as Error).message,
      'install istioctl yourself and pass its path',
    );
  }
  const path = istioctlCachePath(resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR), v.istio, arch);
  const cached = await access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
  return doctorCheck(
    `istioctl ${v.istio}`,
    false,
    cached,
    cached ? `cached at ${path}` : 'not cached yet; up downloads it (checked against its sha256)',
    'nothing to do: `meshproof up --target kind` downloads it',
  );
}

async function registryCheck(url: string, hub: string, timeoutMs: number): Promise<DoctorCheck> {
  const name = `image registry (${hub})`;
  try {
    const res = await request(url, {
      method: 'GET',
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    return doctorCheck(name, false, true, `${new URL(url).host} answered ${res.statusCode}`);
  } catch (err) {
    // A DOMException (the AbortSignal's TimeoutError) has a numeric code; its name says more.
    const code = (err as NodeJS.ErrnoException).code;
    const why = typeof code === 'string' ? code : ((err as Error).name ?? 'error');
    return doctorCheck(
      name,
      false,
      false,
      `${new URL(url).host} not reachable (${why})`,
      'check the network or proxy; set MESHPROOF_ISTIO_HUB / MESHPROOF_BOOKINFO_HUB to a mirror; ' +
        '`docker login` avoids Docker Hub rate limits',
    );
  }
}
