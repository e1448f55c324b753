import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * The package root: the folder of meshproof's own package.json, where plans/, manifests/ and
 * schemas/ ship. Found by walking up from this module, so it is the same whether the code runs from
 * src/ (a clone, through tsx), from the bundle in dist/, or from an installed package.
 */
export const projectRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** True when running from an installed package (inside a node_modules folder), not from a clone. */
export const installed = projectRoot.split(sep).includes('node_modules');

export const paths = {
  plans: join(projectRoot, 'plans'),
  manifests: join(projectRoot, 'manifests'),
  /** Default report folders: `reports/` under the current folder (the repository root in a clone). */
  get reports(): string {
    return resolve('reports');
  },
  /**
   * Built binaries, kubeconfigs and state: MESHPROOF_CACHE_DIR, else `.cache/meshproof` in the
   * clone, or under the current folder for an installed package (never inside node_modules).
   */
  get cache(): string {
    const fromEnv = process.env.MESHPROOF_CACHE_DIR?.trim();
    if (fromEnv) return resolve(fromEnv);
    return installed ? resolve('.cache', 'meshproof') : join(projectRoot, '.cache', 'meshproof');
  },
  /** Manifests that make the base environment on targets that deploy Bookinfo. */
  base: [
    join(projectRoot, 'manifests', 'bookinfo', 'bookinfo.yaml'),
    join(projectRoot, 'manifests', 'istio', 'bookinfo-gateway.yaml'),
  ],
};

/** The nearest folder at or above `start` holding a package.json named meshproof. */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && packageName(manifest) === 'meshproof') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of meshproof in ${start} or any folder above it`);
  }
}

function packageName(file: string): unknown {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}
