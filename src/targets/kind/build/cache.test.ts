import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArtefactStore,
  changedInputs,
  contentKey,
  inputDigests,
  KEY_DIR_LENGTH,
  RECORD_FILE,
  treeFiles,
} from './cache.js';

describe('content keys', () => {
  it('are stable, and change with any name or value', () => {
    const base = [
      ['go.mod', 'module x'],
      ['go', 'go1.26.8'],
    ] as const;
    expect(contentKey(base)).toBe(
      contentKey([
        ['go.mod', 'module x'],
        ['go', 'go1.26.8'],
      ]),
    );
    expect(contentKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(
      contentKey([
        ['go.mod', 'module y'],
        ['go', 'go1.26.8'],
      ]),
    ).not.toBe(contentKey(base));
    expect(
      contentKey([
        ['go.sum', 'module x'],
        ['go', 'go1.26.8'],
      ]),
    ).not.toBe(contentKey(base));
    expect(contentKey([...base, ['extra', '']])).not.toBe(contentKey(base));
  });

  it('cannot be made equal by moving bytes between a name and a value, or between inputs', () => {
    expect(contentKey([['ab', 'c']])).not.toBe(contentKey([['a', 'bc']]));
    expect(
      contentKey([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    ).not.toBe(contentKey([['a', 'b1:c1:d']]));
    expect(contentKey([['a', Buffer.from('x')]])).toBe(contentKey([['a', 'x']]));
  });

  it('say which inputs changed', () => {
    const before = inputDigests([
      ['go.mod', 'a'],
      ['go', '1'],
      ['gone', ''],
    ]);
    const after = inputDigests([
      ['go.mod', 'b'],
      ['go', '1'],
      ['new', ''],
    ]);
    expect(changedInputs(before, after)).toEqual(['go.mod', 'gone', 'new']);
  });
});

describe('ArtefactStore', () => {
  it('builds a part once, then finds it; a new key rebuilds, says what changed and prunes the old folder', async () => {
    const store = new ArtefactStore(await mkdtemp(join(tmpdir(), 'mp-kind-store-')));
    let builds = 0;
    const build = async (dir: string) => {
      builds++;
      await writeFile(join(dir, 'out'), `build ${builds}`);
    };
    const first = await store.produce('k8s', [['go.mod', 'v1']], build);
    expect(first).toMatchObject({ part: 'k8s', built: true });
    expect(first.dir).toBe(join(store.root, 'k8s', first.key.slice(0, KEY_DIR_LENGTH)));
    expect(JSON.parse(await readFile(join(first.dir, RECORD_FILE), 'utf8'))).toMatchObject({
      part: 'k8s',
      key: first.key,
    });
    const again = await store.produce('k8s', [['go.mod', 'v1']], build);
    expect(again).toMatchObject({ built: false, key: first.key, dir: first.dir });
    expect(builds).toBe(1);
    const next = await store.produce('k8s', [['go.mod', 'v2']], build);
    expect(next).toMatchObject({ built: true, changed: ['go.mod'] });
    expect(await readdir(join(store.root, 'k8s'))).toEqual([next.key.slice(0, KEY_DIR_LENGTH)]);
    expect(await readFile(join(next.dir, 'out'), 'utf8')).toBe('build 2');
  });

  it('leaves nothing that looks finished when a build fails', async () => {
    const store = new ArtefactStore(await mkdtemp(join(tmpdir(), 'mp-kind-store-')));
    await expect(
      store.produce('pause', [['pause.c', 'x']], async (dir) => {
        await writeFile(join(dir, 'half'), '');
        throw new Error('gcc: not found');
      }),
    ).rejects.toThrow('gcc: not found');
    expect(await readdir(join(store.root, 'pause'))).toEqual([]);
    expect(store.record('pause', contentKey([['pause.c', 'x']]))).toBeNull();
  });

  it('lists files of a tree, sorted and filtered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mp-kind-tree-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'b', 'c'), { recursive: true });
    for (const f of ['b/c/main.go', 'a.go', 'b/c/main_test.go', 'README']) await writeFile(join(dir, f), '');
    expect(treeFiles(dir)).toEqual(['README', 'a.go', 'b/c/main.go', 'b/c/main_test.go']);
    expect(treeFiles(dir, (f) => f.endsWith('.go') && !f.endsWith('_test.go'))).toEqual(['a.go', 'b/c/main.go']);
  });
});
