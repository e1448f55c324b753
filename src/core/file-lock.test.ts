import { readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from './errors.js';
import { withFileLock } from './file-lock.js';
import { endedProcess, liveProcess } from './testing/other-process.js';

const dir = () => mkdtemp(join(tmpdir(), 'lock-'));
const record = (p: { pid: number; start: string | null }) =>
  `${JSON.stringify({ ...p, command: 'meshproof up --target kwok', since: '2026-12-07T10:00:00.000Z' })}\n`;

describe('withFileLock', () => {
  it('runs one holder at a time, and removes the lock after', async () => {
    const file = join(await dir(), 'x.lock');
    const order: string[] = [];
    const holder = (name: string) =>
      withFileLock(file, { what: 'a test', timeoutMs: 5000, intervalMs: 5 }, async () => {
        order.push(`${name} in`);
        await sleep(30);
        order.push(`${name} out`);
      });
    await Promise.all([holder('a'), holder('b')]);
    // Either may take it first (a loaded machine reorders them); the other only once it is out.
    const [first, second] = order[0] === 'a in' ? ['a', 'b'] : ['b', 'a'];
    expect(order).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    expect(await readFile(file, 'utf8').catch(() => null)).toBeNull();
  });

  it(
    'takes over a lock whose holder no longer runs; waits for a live holder and names it when the deadline ' + 'passes',
    async () => {
      const file = join(await dir(), 'x.lock');
      await writeFile(file, record(await endedProcess()));
      expect(await withFileLock(file, { what: 'a test', timeoutMs: 1000 }, async () => 'ran')).toBe('ran');
      const other = await liveProcess();
      try {
        await writeFile(file, record(other));
        const err = await withFileLock(
          file,
          { what: 'the lease on a test cluster', timeoutMs: 200, intervalMs: 20 },
          async () => 'ran',
        ).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(EnvironmentError);
        expect((err as Error).message).toMatch(
          new RegExp(
            `waiting for the lock on the lease on a test cluster .*held by pid ${other.pid} \\(meshproof up --target ` +
              `kwok\\) since 2026-12-07T10:00:00.000Z`,
          ),
        );
      } finally {
        await other.stop();
      }
    },
  );
});
