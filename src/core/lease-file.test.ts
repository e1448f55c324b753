import { readFile, stat, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { giveBackLease, LeaseHeldError, liveHolders, takeLease, type LeaseHolder } from './lease-file.js';
import { thisProcess } from './process-identity.js';
import { endedProcess, liveProcess, type OtherProcess } from './testing/other-process.js';

const SUBJECT = 'the kwok control plane in /repo/.cache/meshproof/kwok';
let others: OtherProcess[] = [];
afterEach(async () => {
  for (const o of others) await o.stop();
  others = [];
});

async function leaseFile(holders: Partial<LeaseHolder>[] = []): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'lease-')), 'cluster.json');
  if (holders.length) await writeFile(file, JSON.stringify({ subject: SUBJECT, holders }));
  return file;
}

async function other(shared: boolean, command = 'meshproof up --target kwok'): Promise<Partial<LeaseHolder>> {
  const p = await liveProcess();
  others.push(p);
  return { pid: p.pid, start: p.start, command, since: '2026-12-07T10:00:00.000Z', shared };
}

describe('a lease on a cluster', () => {
  it('is held by this process alone until given back, in a file only its owner reads', async () => {
    const file = await leaseFile();
    const { me, tookOver } = await takeLease(file, SUBJECT, { shared: false, command: 'meshproof run p.yaml' });
    expect(tookOver).toEqual([]);
    expect(me).toMatchObject({ ...thisProcess(), command: 'meshproof run p.yaml', shared: false });
    expect(liveHolders(file)).toEqual([me]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await giveBackLease(file, me);
    expect(await readFile(file, 'utf8').catch(() => null)).toBeNull();
  });

  it('is refused beside a live holder, naming its pid, command and since when (exit 3)', async () => {
    const holder = await other(false);
    const file = await leaseFile([holder]);
    const err = await takeLease(file, SUBJECT, { shared: false, hint: 'wait' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseHeldError);
    expect((err as LeaseHeldError).exitCode).toBe(3);
    expect((err as Error).message).toBe(
      `${SUBJECT} is in use by another meshproof process: pid ${holder.pid} (meshproof up --target kwok) since ` +
        `2026-12-07T10:00:00.000Z`,
    );
    expect((err as LeaseHeldError).hint).toBe('wait');
    // Asking to share does not help beside a holder that did not.
    const shared = await takeLease(file, SUBJECT, { shared: true }).catch((e: unknown) => e);
    expect((shared as Error).message).toMatch(/since 2026-12-07T10:00:00\.000Z, which did not ask to share it$/);
  });

  it('is shared by holders that all ask to share; one that does not is refused by them', async () => {
    const holder = await other(true, 'meshproof run a.yaml --shared');
    const file = await leaseFile([holder]);
    const { me } = await takeLease(file, SUBJECT, { shared: true });
    expect(liveHolders(file).map((h) => h.pid)).toEqual([holder.pid, me.pid]);
    await giveBackLease(file, me);
    const err = await takeLease(file, SUBJECT, { shared: false }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      new RegExp(`pid ${holder.pid} \\(meshproof run a.yaml --shared\\) since .*, shared$`),
    );
    expect(liveHolders(file).map((h) => h.pid)).toEqual([holder.pid]);
  });

  it('held by a process that no longer runs (killed) is taken over, and taking it says from whom', async () => {
    const gone = {
      ...(await endedProcess()),
      command: 'meshproof run failing-canary.yaml',
      since: 'then',
      shared: false,
    };
    const file = await leaseFile([gone]);
    const { me, tookOver } = await takeLease(file, SUBJECT, { shared: false });
    expect(tookOver).toEqual([gone]);
    expect(liveHolders(file)).toEqual([me]);
  });
});
