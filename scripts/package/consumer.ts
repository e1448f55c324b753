/**
 * A project in an empty folder that installs meshproof from the tarball `npm pack` made (the e2e
 * tarball test, the container image).
 * The dependencies come from the npm cache: `npm ci --offline` with a lockfile holding the tarball
 * and the repository's locked production dependencies (their resolved URLs and integrity), so the
 * install needs no registry. (`npm i --offline <tarball>` does not work after a plain `npm ci`: it
 * asks for each dependency's registry metadata, which `npm ci` never caches, only the tarballs.)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

interface LockEntry {
  version?: string;
  dev?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}
interface Lockfile {
  packages: Record<string, LockEntry>;
}

/** `npm pack --json` in `root` (which runs the build through `prepare`) into `dest`: the tarball and its file list. */
export async function pack(root: string, dest: string): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: root,
    env: npmEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack in ${root} printed no package: ${stdout.slice(0, 500)}`);
  return { tarball: join(dest, info.filename), files: info.files.map((f) => f.path).sort() };
}

/** Writes package.json and package-lock.json into `dir` for a project that depends on `tarball` only. */
export async function writeConsumer(dir: string, tarball: string, repoLockFile: string): Promise<void> {
  const lock = JSON.parse(await readFile(repoLockFile, 'utf8')) as Lockfile;
  const self = lock.packages[''];
  if (!self) throw new Error(`${repoLockFile} has no root package entry`);
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`;
  const spec = `file:${tarball}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'meshproof-consumer', dependencies: { meshproof: spec } },
    'node_modules/meshproof': {
      version: self.version,
      resolved: spec,
      integrity,
      dependencies: self.dependencies,
      bin: self.bin,
      engines: self.engines,
    },
  };
  // The repository's production dependencies sit where a consumer's would: hoisted under node_modules/.
  for (const [path, entry] of Object.entries(lock.packages))
    if (path && !entry.dev && !entry.link) packages[path] = entry;
  const manifest = { name: 'meshproof-consumer', private: true, dependencies: { meshproof: spec } };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(
    join(dir, 'package-lock.json'),
    `${JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
}

/** `npm ci --offline` in `dir`; npm's own message when a dependency is not in the cache. */
export async function installOffline(dir: string): Promise<void> {
  try {
    await exec('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env: npmEnv() });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(
      `npm ci --offline in ${dir} failed (run npm ci in the repository first: it fills the npm cache): ` +
        `${e.stderr?.trim() || e.message}`,
      { cause: err },
    );
  }
}

/**
 * The environment without what `npm test` set for the repository's own package (npm_package_*, its
 * prefix, its lifecycle): npm in another folder must see that folder's project. The cache and the
 * registry stay.
 */
export function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') || keep.has(k)));
  return { ...env, ...extra };
}
