import { readFile, stat, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePrivateFile, writePrivateFileSync } from './private-file.js';

describe('writePrivateFile', () => {
  it('leaves a file readable by its owner only, even where an older one was world-readable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'private-'));
    const file = join(dir, 'state.json');
    await writeFile(file, 'old', { mode: 0o644 });
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    await writePrivateFile(file, '{"token":"secret"}\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('{"token":"secret"}\n');
    writePrivateFileSync(join(dir, 'new'), 'x');
    expect((await stat(join(dir, 'new'))).mode & 0o777).toBe(0o600);
  });
});
