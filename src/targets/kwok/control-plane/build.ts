/**
 * Builds the kwok target's binaries from the Go modules in tools/controlplane/ into the cache's
 * bin folder: one `go build` per module (so Kubernetes' packages compile once for all six
 * binaries), statically linked, with version strings set by ldflags. Go's module and build caches
 * are reused, and a module whose stamp matches its go.mod, go.sum and ldflags is skipped.
 */
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PINNED } from '../../../istio/install/versions.js';
import { EnvironmentError } from '../../../core/errors.js';
import { formatMs } from '../../../core/duration.js';
import { checked, type CommandRunner } from '../../../core/process.js';
import { goEnv } from '../../../core/go-env.js';
import {
  binary,
  binDir,
  buildKey,
  gatewayApiFiles,
  KWOK_CRD_PATHS,
  KWOK_CRDS_FILE,
  KWOK_STAGE_PATHS,
  KWOK_STAGES_FILE,
  staleBinaries,
  stampPath,
  toolModules,
  XDS_DESCRIPTORS_FILE,
  type GoToolModule,
} from './binaries.js';

export interface BuildOptions {
  cacheDir: string;
  runner: CommandRunner;
  onProgress?: (message: string) => void;
  /** Run `go` under `nice -n 10` (the machine stays usable during a cold build). Default true. */
  nice?: boolean;
  signal?: AbortSignal;
  modules?: GoToolModule[];
}

export interface ModuleBuild {
  id: string;
  /** null when the stamp matched and nothing was built. */
  ms: number | null;
  binaries: string[];
}

/** Go ≥ 1.26 is what the go.mod files ask for. */
export const MIN_GO = [1, 26] as const;

export function parseGoVersion(text: string): [number, number] | null {
  const m = /go(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export async function goVersion(runner: CommandRunner): Promise<string | null> {
  const r = await runner.run('go', ['env', 'GOVERSION'], { timeoutMs: 20_000 });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

export async function buildControlPlane(o: BuildOptions): Promise<ModuleBuild[]> {
  const say = o.onProgress ?? (() => {});
  const modules = o.modules ?? toolModules();
  const todo = modules.filter((m) => staleBinaries(o.cacheDir, m).length);
  if (!todo.length) return modules.map((m) => ({ id: m.id, ms: null, binaries: m.binaries.map((b) => b.name) }));
  const gov = await goVersion(o.runner);
  const parsed = gov ? parseGoVersion(gov) : null;
  if (!parsed || parsed[0] < MIN_GO[0] || (parsed[0] === MIN_GO[0] && parsed[1] < MIN_GO[1])) {
    throw new EnvironmentError(
      `the kwok target builds its control plane with Go ≥ ${MIN_GO.join('.')}; found ${gov ?? 'no go command'}`,
      {
        hint: 'install Go 1.26 or newer (https://go.dev/dl/), or use --target local',
      },
    );
  }
  await mkdir(binDir(o.cacheDir), { recursive: true });
  const out: ModuleBuild[] = [];
  for (const m of modules) {
    if (!todo.includes(m)) {
      out.push({ id: m.id, ms: null, binaries: m.binaries.map((b) => b.name) });
      continue;
    }
    say(
      `building ${m.binaries.map((b) => b.name).join(', ')} with ${gov} (a cold build takes minutes; ` +
        "Go's caches make the next one quick)",
    );
    const t0 = Date.now();
    await goBuild(o, m);
    if (m.id === 'k8s') await copyKwokFiles(o, m);
    if (m.id === 'istio') {
      await writeXdsDescriptors(o);
      await copyGatewayApiCrds(o, m);
    }
    const ms = Date.now() - t0;
    await writeFile(
      stampPath(o.cacheDir, m),
      `${JSON.stringify({ key: buildKey(m), go: gov, builtAt: new Date().toISOString(), ms }, null, 2)}\n`,
    );
    say(`built ${m.id} binaries in ${formatMs(ms)}`);
    out.push({ id: m.id, ms, binaries: m.binaries.map((b) => b.name) });
  }
  return out;
}

async function goBuild(o: BuildOptions, m: GoToolModule): Promise<void> {
  // A folder of its own per module: `go build -o DIR/` names each binary after its package
  // (etcd's main package is `…/server/v3`, so it comes out as `server`).
  const tmp = join(binDir(o.cacheDir), `.build-${m.id}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const args = [
    'build',
    '-trimpath',
    '-ldflags',
    ['-s', '-w', ...m.ldflags].join(' '),
    '-o',
    `${tmp}/`,
    ...m.binaries.map((b) => b.pkg),
  ];
  const [cmd, cmdArgs] = o.nice === false ? ['go', args] : ['nice', ['-n', '10', 'go', ...args]];
  await checked(o.runner, cmd, cmdArgs, {
    cwd: m.dir,
    env: goEnv(),
    timeoutMs: 60 * 60_000,
    signal: o.signal,
    hint: `the Go module is ${m.dir}; try the same go build there`,
  });
  for (const b of m.binaries) {
    const built = join(tmp, defaultBinaryName(b.pkg));
    await rename(built, join(binDir(o.cacheDir), b.name));
  }
  await rm(tmp, { recursive: true, force: true });
}

/** The name `go build -o DIR/` gives a main package: its last path element, skipping a `vN` suffix. */
export function defaultBinaryName(pkg: string): string {
  const parts = pkg.split('/');
  const last = parts.at(-1)!;
  return /^v\d+$/.test(last) && parts.length > 1 ? parts.at(-2)! : last;
}

/** KWOK's own stage definitions and PortForward CRD, read from its module in Go's module cache. */
async function copyKwokFiles(o: BuildOptions, m: GoToolModule): Promise<void> {
  const dir = (
    await checked(o.runner, 'go', ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], {
      cwd: m.dir,
      env: goEnv(),
      timeoutMs: 60_000,
    })
  ).trim();
  for (const [file, paths] of [
    [KWOK_STAGES_FILE, KWOK_STAGE_PATHS],
    [KWOK_CRDS_FILE, KWOK_CRD_PATHS],
  ] as const) {
    const docs = await Promise.all(paths.map((p) => readFile(join(dir, p), 'utf8')));
    await writeFile(join(binDir(o.cacheDir), file), docs.map((d) => d.trim()).join('\n---\n') + '\n');
  }
}

/**
 * The pinned Gateway API CRD files out of the Go module at that version (downloaded through the module proxy,
 * checksum-verified by go).
 */
async function copyGatewayApiCrds(o: BuildOptions, m: GoToolModule): Promise<void> {
  const version = PINNED.gatewayApi;
  const out = await checked(o.runner, 'go', ['mod', 'download', '-json', `sigs.k8s.io/gateway-api@${version}`], {
    cwd: m.dir,
    env: goEnv(),
    timeoutMs: 5 * 60_000,
  });
  const dir = (JSON.parse(out) as { Dir: string }).Dir;
  for (const f of gatewayApiFiles(version)) {
    await mkdir(dirname(join(binDir(o.cacheDir), f)), { recursive: true });
    await copyFile(join(dir, 'config', 'crd', 'standard', basename(f)), join(binDir(o.cacheDir), f));
  }
}

/** Runs the built helper once: its output is a build product like the binaries. */
async function writeXdsDescriptors(o: BuildOptions): Promise<void> {
  await checked(o.runner, binary(o.cacheDir, 'xds-descriptors'), [join(binDir(o.cacheDir), XDS_DESCRIPTORS_FILE)], {
    timeoutMs: 60_000,
  });
}
