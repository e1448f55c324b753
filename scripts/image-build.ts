/**
 * Builds the container image (Dockerfile) on this machine with no registry: the base is a Debian
 * root file system with Debian's nodejs, made with debootstrap and imported into Docker (kept by the
 * key of its suite, mirror and packages), unless `--base IMAGE` names one. The context holds
 * meshproof installed from the tarball `npm pack` makes, with its dependencies from the npm cache.
 * Then the image is checked: `--version`, and `lint plans/canary.yaml` exiting 0.
 *
 *   npm run image:build [-- --base IMAGE] [--keep-docker]
 *
 * dockerd is started when none answers (src/targets/kind/host/dockerd.ts), and stopped afterwards
 * only when this run started it. Needs root for debootstrap.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths, projectRoot } from '../src/core/paths.js';
import { formatMs } from '../src/core/duration.js';
import { checked, zxRunner } from '../src/core/process.js';
import { NODE_PINS } from '../src/targets/kind/build/pins.js';
import { rootfsTarArgs, slim } from '../src/targets/kind/build/rootfs.js';
import { describeStop, ensureDockerd, installedCapfilter, stopDockerd } from '../src/targets/kind/host/dockerd.js';
import { hostStateDir } from '../src/targets/kind/host/state-dir.js';
import { installOffline, pack, writeConsumer } from './package/consumer.js';

/** The base: Debian's own nodejs (trixie: 20.19, within package.json's engines) and CA certificates. */
export const BASE_PACKAGES = ['nodejs', 'ca-certificates'] as const;
const args = process.argv.slice(2);
const run = (cmd: string, argv: string[], timeoutMs = 20 * 60_000) => checked(zxRunner, cmd, argv, { timeoutMs });

/** `meshproof.local/node-base:trixie-<key>`, the key made from what the base is built from. */
export function baseImageName(suite: string, mirror: string, packages: readonly string[]): string {
  const key = createHash('sha256').update(JSON.stringify({ suite, mirror, packages })).digest('hex').slice(0, 12);
  return `meshproof.local/node-base:${suite}-${key}`;
}

async function imageExists(name: string): Promise<boolean> {
  return (await zxRunner.run('docker', ['image', 'inspect', name], { timeoutMs: 30_000 })).exitCode === 0;
}

async function debianBase(work: string): Promise<string> {
  const name = baseImageName(NODE_PINS.suite, NODE_PINS.debianMirror, BASE_PACKAGES);
  if (await imageExists(name)) {
    console.log(`base ${name}: already in Docker`);
    return name;
  }
  const rootfs = join(work, 'rootfs');
  console.log(
    `base ${name}: debootstrap ${NODE_PINS.suite} with ${BASE_PACKAGES.join(', ')} from ${NODE_PINS.debianMirror}`,
  );
  await run('debootstrap', [
    '--variant=minbase',
    `--include=${BASE_PACKAGES.join(',')}`,
    NODE_PINS.suite,
    rootfs,
    NODE_PINS.debianMirror,
  ]);
  await slim(rootfs);
  const tar = join(work, 'rootfs.tar');
  await run('tar', rootfsTarArgs(rootfs, tar));
  await rm(rootfs, { recursive: true, force: true });
  await run('docker', ['import', tar, name]);
  await rm(tar, { force: true });
  return name;
}

/** The build context: the Dockerfile, and app/node_modules with meshproof and its dependencies. */
async function context(work: string): Promise<string> {
  const dir = join(work, 'context');
  const app = join(dir, 'app');
  await mkdir(app, { recursive: true });
  const { tarball } = await pack(projectRoot, work);
  await writeConsumer(app, tarball, join(projectRoot, 'package-lock.json'));
  await installOffline(app);
  await rm(join(app, 'package.json'));
  await rm(join(app, 'package-lock.json'));
  await copyFile(join(projectRoot, 'Dockerfile'), join(dir, 'Dockerfile'));
  return dir;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const stateDir = hostStateDir(paths.cache);
  const capfilter = installedCapfilter(stateDir);
  const docker = await ensureDockerd({
    runner: zxRunner,
    stateDir,
    ...(existsSync(capfilter) ? { capfilter } : {}),
    onProgress: (m) => console.log(m),
  });
  if (docker.warning) console.warn(`warning: ${docker.warning}`);
  const work = await mkdtemp(join(tmpdir(), 'meshproof-image-'));
  try {
    const baseAt = args.indexOf('--base');
    const base = baseAt >= 0 ? args[baseAt + 1]! : await debianBase(work);
    const version = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')).version as string;
    const image = `meshproof.local/meshproof:${version}`;
    const dir = await context(work);
    console.log(`docker build ${image} FROM ${base}`);
    await run('docker', ['build', '--build-arg', `BASE=${base}`, '-t', image, dir]);
    const printed = await run('docker', ['run', '--rm', image, '--version'], 60_000);
    console.log(printed.trim());
    const lint = await run('docker', ['run', '--rm', image, 'lint', 'plans/canary.yaml'], 60_000);
    console.log(lint.trim());
    const size = (await run('docker', ['image', 'inspect', image, '--format', '{{.Size}}'])).trim();
    console.log(`${image}: ${(Number(size) / 1e6).toFixed(0)} MB, built in ${formatMs(Date.now() - t0)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
    if (docker.started && !args.includes('--keep-docker')) console.log(describeStop(await stopDockerd(stateDir)));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error & { hint?: string }) => {
    console.error(`image build failed: ${err.message}${err.hint ? `\n  ${err.hint}` : ''}`);
    process.exitCode = 3;
  });
}
