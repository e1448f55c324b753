/**
 * The host tools the build runs, from Debian's own packages: Docker (docker.io: dockerd, containerd,
 * runc), debootstrap, and gcc with a static libc (for pause). Missing ones are installed with
 * apt-get when running as root; otherwise the error says what to install.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../../../core/errors.js';
import { checked, type CommandRunner } from '../../../core/process.js';

/** Command → the Debian packages that provide it. */
export const HOST_TOOLS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  dockerd: ['docker.io'],
  debootstrap: ['debootstrap'],
  chroot: ['coreutils'],
  gcc: ['gcc', 'libc6-dev'],
  tar: ['tar'],
});

/** The packages to install for the commands that are missing (deduplicated, in HOST_TOOLS order). */
export function packagesFor(missingCommands: readonly string[]): string[] {
  return [...new Set(missingCommands.flatMap((c) => HOST_TOOLS[c] ?? []))];
}

export function aptInstallArgs(packages: readonly string[]): string[] {
  return ['install', '-y', ...packages];
}

/** The path of an executable `cmd` on PATH (or in /usr/sbin and /sbin, where dockerd and debootstrap live), or null. */
export function which(cmd: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(':').filter(Boolean), '/usr/sbin', '/sbin']) {
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Commands of HOST_TOOLS that are not installed. */
export function missingHostTools(): string[] {
  return Object.keys(HOST_TOOLS).filter((c) => which(c) === null);
}

export interface HostPackagesResult {
  installed: string[];
}

/** Installs what is missing (as root), with apt-get update first. */
export async function ensureHostPackages(
  runner: CommandRunner,
  onProgress: (m: string) => void = () => {},
): Promise<HostPackagesResult> {
  const missing = missingHostTools();
  const packages = packagesFor(missing);
  if (!packages.length) return { installed: [] };
  if (process.getuid?.() !== 0) {
    throw new EnvironmentError(`the kind build needs ${missing.join(', ')}`, {
      hint: `as root: apt-get update && apt-get ${aptInstallArgs(packages).join(' ')}`,
    });
  }
  onProgress(`installing ${packages.join(', ')} from Debian (missing: ${missing.join(', ')})`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await checked(runner, 'apt-get', ['update'], { env, timeoutMs: 10 * 60_000 });
  await checked(runner, 'apt-get', aptInstallArgs(packages), {
    env,
    timeoutMs: 20 * 60_000,
    hint: 'apt-get could not install the host tools the kind build needs',
  });
  const still = missingHostTools();
  if (still.length) throw new EnvironmentError(`after apt-get install, still missing: ${still.join(', ')}`);
  return { installed: packages };
}
