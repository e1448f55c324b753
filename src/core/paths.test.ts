import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findPackageRoot, paths, projectRoot } from './paths.js';

describe('findPackageRoot', () => {
  it("finds meshproof's package.json above the code, past another package's", async () => {
    const root = await mkdtemp(join(tmpdir(), 'meshproof-paths-'));
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'meshproof' }));
    const inner = join(root, 'dist', 'chunks');
    await mkdir(inner, { recursive: true });
    await writeFile(join(root, 'dist', 'package.json'), JSON.stringify({ name: 'something-else' }));
    expect(findPackageRoot(inner)).toBe(root);
  });

  it('says where it looked when there is none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-paths-'));
    expect(() => findPackageRoot(dir)).toThrow(`no package.json of meshproof in ${dir} or any folder above it`);
  });

  it('is the repository root when run from the sources', () => {
    expect(projectRoot).toBe(resolve(import.meta.dirname, '..', '..'));
  });
});

describe('paths', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('puts reports under the current folder, read when asked', () => {
    const spy = vi.spyOn(process, 'cwd').mockReturnValue('/somewhere/else');
    try {
      expect(paths.reports).toBe('/somewhere/else/reports');
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps the cache in the clone unless MESHPROOF_CACHE_DIR moves it', () => {
    vi.stubEnv('MESHPROOF_CACHE_DIR', '');
    expect(paths.cache).toBe(join(projectRoot, '.cache', 'meshproof'));
    vi.stubEnv('MESHPROOF_CACHE_DIR', '/var/cache/mp');
    expect(paths.cache).toBe('/var/cache/mp');
  });
});
