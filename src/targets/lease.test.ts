import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseHeldError } from '../core/lease-file.js';
import { liveProcess, type OtherProcess } from '../core/testing/other-process.js';
import { ExistingTarget } from './existing/existing-target.js';
import { KindTarget } from './kind/kind-target.js';
import { KwokTarget } from './kwok/kwok-target.js';
import { leaseCluster, leaseFile, othersLeasing, SHARE_HINT } from './lease.js';
import { LocalTarget } from './local/local-target.js';
import type { LeaseKey } from './target.js';
import { FakeTarget } from './testing/fake-target.js';

let others: OtherProcess[] = [];
beforeEach(async () => {
  process.env.MESHPROOF_LEASE_DIR = await mkdtemp(join(tmpdir(), 'leases-'));
});
afterEach(async () => {
  delete process.env.MESHPROOF_LEASE_DIR;
  for (const o of others) await o.stop();
  others = [];
});

/** The lease on `key` as another live meshproof process would hold it. */
async function heldByAnother(key: LeaseKey, shared = false): Promise<OtherProcess> {
  const p = await liveProcess();
  others.push(p);
  const holder = {
    pid: p.pid,
    start: p.start,
    command: 'meshproof up --target kwok',
    since: '2026-12-07T10:00:00.000Z',
    shared,
  };
  await writeFile(leaseFile(key), JSON.stringify({ subject: key.cluster, holders: [holder] }));
  return p;
}

async function kubeconfig(contexts: { name: string; server: string }[]): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'kc-')), 'config');
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map((c) => ({ name: c.name, cluster: { server: c.server } })),
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: 'u' } })),
      'current-context': contexts[0]!.name,
    }),
  );
  return file;
}

describe('which cluster a target leases', () => {
  it(
    'existing: the API server the kubeconfig and context name, so two contexts on one server are one ' + 'cluster',
    async () => {
      const file = await kubeconfig([
        { name: 'admin@staging', server: 'https://10.0.0.1:6443' },
        { name: 'ci@staging', server: 'https://10.0.0.1:6443/' },
        { name: 'prod', server: 'https://10.9.9.9:6443' },
      ]);
      const admin = new ExistingTarget({ kubeconfig: file }).leaseKey()!;
      expect(admin).toEqual({
        id: 'server:https://10.0.0.1:6443',
        cluster: 'the cluster at https://10.0.0.1:6443 (context admin@staging)',
      });
      expect(new ExistingTarget({ kubeconfig: file, context: 'ci@staging' }).leaseKey()!.id).toBe(admin.id);
      expect(new ExistingTarget({ kubeconfig: file, context: 'prod' }).leaseKey()!.id).not.toBe(admin.id);
      // A kubeconfig that does not load has no key: `up` then says why it cannot connect.
      expect(new ExistingTarget({ kubeconfig: join(tmpdir(), 'no-such-kubeconfig') }).leaseKey()).toBeNull();
    },
  );

  it(
    'kind: the cluster by name on its Docker daemon; kwok: the control plane by its cache folder; local: ' + 'none',
    async () => {
      expect(new KindTarget({ clusterName: 'meshproof' }).leaseKey().cluster).toBe(
        'kind cluster "meshproof" (context kind-meshproof)',
      );
      expect(new KindTarget({ clusterName: 'a' }).leaseKey().id).not.toBe(
        new KindTarget({ clusterName: 'b' }).leaseKey().id,
      );
      const cache = await mkdtemp(join(tmpdir(), 'kwok-cache-'));
      expect(new KwokTarget({ cacheDir: cache }).leaseKey()).toEqual({
        id: `kwok:${cache}`,
        cluster: `the kwok control plane in ${join(cache, 'kwok')}`,
      });
      expect(new LocalTarget().leaseKey()).toBeNull();
    },
  );
});

describe('leaseCluster', () => {
  const key: LeaseKey = { id: 'kind:meshproof@test', cluster: 'kind cluster "meshproof"' };

  it('is refused beside another live process, naming it, with what to do (exit 3)', async () => {
    const other = await heldByAnother(key);
    const err = await leaseCluster(new FakeTarget({ leaseKey: key }), { shared: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LeaseHeldError);
    expect((err as LeaseHeldError).exitCode).toBe(3);
    expect((err as Error).message).toBe(
      `kind cluster "meshproof" is in use by another meshproof process: pid ${other.pid} (meshproof up --target ` +
        `kwok) since 2026-12-07T10:00:00.000Z`,
    );
    expect((err as LeaseHeldError).hint).toBe(SHARE_HINT);
  });

  it('is shared when both ask to, tells who else holds it, and is given back', async () => {
    const other = await heldByAnother(key, true);
    const lease = (await leaseCluster(new FakeTarget({ leaseKey: key }), { shared: true }))!;
    expect(lease.notes).toEqual([]);
    expect(othersLeasing(key).map((h) => h.pid)).toEqual([other.pid]);
    await lease.release();
    // Given back: the other holder is all the record holds.
    expect(JSON.parse(await readFile(leaseFile(key), 'utf8')).holders.map((h: { pid: number }) => h.pid)).toEqual([
      other.pid,
    ]);
  });

  it('takes over from a holder that was killed, and says so', async () => {
    const other = await heldByAnother(key);
    await other.stop();
    const lease = (await leaseCluster(new FakeTarget({ leaseKey: key }), { shared: false }))!;
    expect(lease.notes).toEqual([
      `took over the lease on kind cluster "meshproof" from pid ${other.pid} (meshproof up --target kwok) since ` +
        `2026-12-07T10:00:00.000Z, which no longer runs`,
    ]);
    await lease.release();
  });

  it('a target without a cluster of its own (the local mesh) takes none', async () => {
    expect(await leaseCluster(new FakeTarget(), { shared: false })).toBeNull();
  });
});
