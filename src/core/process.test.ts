import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checked, zxRunner } from './process.js';
import { CommandError } from './errors.js';

describe('the zx command runner', () => {
  it('passes every argument as one value: spaces, quotes and shell syntax reach the program untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshproof-cmd-'));
    const r = await zxRunner.run('printf', ['%s|', 'a b', "it's", '$(touch x)', '; rm -rf /', '*'], { cwd: dir });
    expect(r).toMatchObject({ exitCode: 0, stdout: "a b|it's|$(touch x)|; rm -rf /|*|" });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a missing binary as 127, a timeout as timedOut, and feeds standard input', async () => {
    expect((await zxRunner.run('meshproof-no-such-binary', [])).exitCode).toBe(127);
    const t0 = Date.now();
    const slow = await zxRunner.run('sleep', ['5'], { timeoutMs: 200 });
    expect(slow.timedOut).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await zxRunner.run('cat', [], { input: 'hello' })).stdout).toBe('hello');
  });

  it('checked() throws a CommandError with the command and what it printed', async () => {
    const err = await checked(zxRunner, 'sh', ['-c', 'echo boom >&2; exit 4']).catch((e) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err.exitStatus).toBe(4);
    expect(err.message).toBe("command failed (exit 4): sh -c 'echo boom >&2; exit 4'\nboom");
  });
});
