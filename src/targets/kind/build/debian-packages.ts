/**
 * The Debian packages of the node image and of the component images' base, downloaded once and
 * kept in the cache: a debootstrap tarball per package set (`--make-tarball`: every .deb plus the
 * suite's package lists, enough to bootstrap offline with `--unpack-tarball`) and, for the node, the
 * runtime packages from sid (`apt-get download` with a private apt configuration). Each part's key
 * is made from the suites, the mirror and the package lists, not from the suite's current state:
 * once downloaded, a moving suite changes nothing. `packages.lock` lists what was fetched.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyInput, Produced } from './cache.js';
import { run, type BuildContext } from './context.js';
import { NODE_PINS } from './pins.js';

export interface PackageSet {
  /** The part's name in the store. */
  part: string;
  suite: string;
  mirror: string;
  packages: readonly string[];
  /** Extra packages from another suite, installed over the base with dpkg. */
  runtime?: { suite: string; packages: readonly string[] };
}

export const NODE_PACKAGES: PackageSet = {
  part: 'debs-node',
  suite: NODE_PINS.suite,
  mirror: NODE_PINS.debianMirror,
  packages: NODE_PINS.nodePackages,
  runtime: { suite: NODE_PINS.runtimeSuite, packages: NODE_PINS.runtimePackages },
};

export const TOOLS_PACKAGES: PackageSet = {
  part: 'debs-tools',
  suite: NODE_PINS.suite,
  mirror: NODE_PINS.debianMirror,
  packages: NODE_PINS.toolsPackages,
};

export const MESH_PACKAGES: PackageSet = {
  part: 'debs-mesh',
  suite: NODE_PINS.suite,
  mirror: NODE_PINS.debianMirror,
  packages: NODE_PINS.meshPackages,
};

export const DEBOOTSTRAP_TARBALL = 'debootstrap.tgz';
export const RUNTIME_DIR = 'runtime-debs';
export const LOCK_FILE = 'packages.lock';

export function debootstrapArgs(set: PackageSet, mode: 'make' | 'unpack', tarball: string, target: string): string[] {
  return [
    '--variant=minbase',
    `--include=${set.packages.join(',')}`,
    `--${mode}-tarball=${tarball}`,
    set.suite,
    target,
    set.mirror,
  ];
}

/** A private apt configuration under `dir`: only the given suite, no host sources, preferences or caches. */
export function aptOptions(dir: string): string[] {
  const o = (k: string, v: string) => ['-o', `${k}=${v}`];
  return [
    ...o('Dir::Etc::SourceList', join(dir, 'sources.list')),
    ...o('Dir::Etc::SourceParts', '/dev/null'),
    ...o('Dir::Etc::Preferences', '/dev/null'),
    ...o('Dir::Etc::PreferencesParts', '/dev/null'),
    ...o('Dir::State::Lists', join(dir, 'lists')),
    ...o('Dir::State::status', '/dev/null'),
    ...o('Dir::Cache', join(dir, 'cache')),
  ];
}

export function sourcesList(mirror: string, suite: string): string {
  return `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} ${suite} main\n`;
}

export function packageSetInputs(set: PackageSet): KeyInput[] {
  return [
    ['suite', set.suite],
    ['mirror', set.mirror],
    ['packages', set.packages.join(',')],
    ['debootstrap', debootstrapArgs(set, 'make', '<tarball>', '<target>').join(' ')],
    ...(set.runtime
      ? ([
          ['runtime', `${set.runtime.suite}: ${set.runtime.packages.join(',')}`],
          ['apt', aptOptions('<dir>').join(' ')],
        ] as KeyInput[])
      : []),
  ];
}

/** `name_version_arch.deb` (version with `%3a` for `:`) → `name version arch`, or null. */
export function debFileLock(file: string): string | null {
  const m = /(?:^|\/)([^/_]+)_([^/_]+)_([^/_]+)\.deb$/.exec(file);
  return m ? `${m[1]} ${decodeURIComponent(m[2]!)} ${m[3]}` : null;
}

/** Downloads a package set into the store (network: the Debian mirror). */
export async function fetchPackageSet(ctx: BuildContext, set: PackageSet): Promise<Produced> {
  return ctx.store.produce(set.part, packageSetInputs(set), async (dir) => {
    const target = join(ctx.layout.work, `${set.part}-bootstrap`);
    await rm(target, { recursive: true, force: true });
    ctx.say(`downloading ${set.suite} (${set.packages.length} packages and their dependencies) for ${set.part}`);
    await run(ctx, 'debootstrap', debootstrapArgs(set, 'make', join(dir, DEBOOTSTRAP_TARBALL), target), {
      timeoutMs: 30 * 60_000,
      hint: `debootstrap needs ${set.mirror}`,
    });
    await rm(target, { recursive: true, force: true });
    const listing = await run(ctx, 'tar', ['-tzf', join(dir, DEBOOTSTRAP_TARBALL)]);
    const lock = listing
      .split('\n')
      .map(debFileLock)
      .filter((l): l is string => l !== null);
    if (set.runtime) {
      const apt = join(ctx.layout.work, `${set.part}-apt`);
      await rm(apt, { recursive: true, force: true });
      await mkdir(join(apt, 'lists', 'partial'), { recursive: true });
      await mkdir(join(apt, 'cache', 'archives', 'partial'), { recursive: true });
      await writeFile(join(apt, 'sources.list'), sourcesList(set.mirror, set.runtime.suite));
      const out = join(dir, RUNTIME_DIR);
      await mkdir(out);
      ctx.say(`downloading ${set.runtime.packages.join(', ')} from ${set.runtime.suite}`);
      await run(ctx, 'apt-get', [...aptOptions(apt), 'update'], { timeoutMs: 15 * 60_000 });
      await run(ctx, 'apt-get', [...aptOptions(apt), 'download', ...set.runtime.packages], {
        cwd: out,
        timeoutMs: 15 * 60_000,
      });
      await rm(apt, { recursive: true, force: true });
      for (const f of readdirSync(out).sort()) {
        const l = debFileLock(f);
        if (l) lock.push(`${l} (${set.runtime.suite})`);
      }
    }
    await writeFile(join(dir, LOCK_FILE), `${lock.sort().join('\n')}\n`);
  });
}

/** The runtime .debs kept with a package set (absolute paths, sorted). */
export function runtimeDebs(setDir: string): string[] {
  const d = join(setDir, RUNTIME_DIR);
  return existsSync(d)
    ? readdirSync(d)
        .filter((f) => f.endsWith('.deb'))
        .sort()
        .map((f) => join(d, f))
    : [];
}
