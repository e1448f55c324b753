/**
 * A Debian root file system made offline from a kept package set (debian-packages.ts):
 * `debootstrap --unpack-tarball`, then the runtime .debs installed over it with dpkg in a chroot,
 * then the documentation, caches and logs removed. Used as the base of the node image and of the
 * component images; it lives in the build's scratch folder and is removed once imported.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { run, type BuildContext } from './context.js';
import { DEBOOTSTRAP_TARBALL, debootstrapArgs, runtimeDebs, type PackageSet } from './debian-packages.js';

/** What `slim` removes, relative to the root: documentation, apt's lists and downloads, logs. */
export const SLIM_PATHS = [
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
  'var/lib/apt/lists',
  'var/cache/apt',
  'var/cache/debconf',
  'var/log',
] as const;

export async function slim(root: string): Promise<void> {
  for (const p of SLIM_PATHS) {
    await rm(join(root, p), { recursive: true, force: true });
    await mkdir(join(root, p), { recursive: true });
  }
}

/** The chroot command line that installs `debs` (paths inside the root). */
export function dpkgInstallArgs(root: string, debsInRoot: readonly string[]): string[] {
  return [root, 'dpkg', '--install', '--force-confdef', ...debsInRoot];
}

/** Makes `target` from the package set kept in `setDir`. */
export async function makeRootfs(ctx: BuildContext, set: PackageSet, setDir: string, target: string): Promise<void> {
  await rm(target, { recursive: true, force: true });
  await run(ctx, 'debootstrap', debootstrapArgs(set, 'unpack', join(setDir, DEBOOTSTRAP_TARBALL), target), {
    timeoutMs: 20 * 60_000,
  });
  const debs = runtimeDebs(setDir);
  if (debs.length) {
    const inRoot = '/tmp/meshproof-debs';
    await mkdir(join(target, inRoot), { recursive: true });
    for (const d of debs) await copyFile(d, join(target, inRoot, basename(d)));
    await run(
      ctx,
      'chroot',
      dpkgInstallArgs(
        target,
        debs.map((d) => `${inRoot}/${basename(d)}`),
      ),
      { env: { DEBIAN_FRONTEND: 'noninteractive' } },
    );
    await rm(join(target, inRoot), { recursive: true, force: true });
  }
  await slim(target);
}

/** `tar` arguments that archive a root file system as it is (numeric owners). */
export function rootfsTarArgs(root: string, file: string): string[] {
  return ['--numeric-owner', '-C', root, '-cf', file, '.'];
}
