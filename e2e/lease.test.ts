/**
 * The lease per cluster on the targets a test cannot bring up here (kind, existing): a run, `up`
 * or `down` on a cluster another meshproof process works on is refused at once, exit 3, naming
 * that process's pid, command and since when, before anything touches the cluster; a holder that
 * was killed is taken over. The holder here is a stand-in process with the lease record a
 * meshproof process writes. The kwok suites (e2e/kwok/sharing.suite.ts) hold real runs to it.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveProcess, type OtherProcess } from '../src/core/testing/other-process.js';
import { ExistingTarget } from '../src/targets/existing/existing-target.js';
import { KindTarget } from '../src/targets/kind/kind-target.js';
import { leaseFile } from '../src/targets/lease.js';
import type { LeaseKey } from '../src/targets/target.js';
import { meshproof } from './cli.js';

let leases: string;
let holder: OtherProcess;
const env = () => ({ MESHPROOF_LEASE_DIR: leases });

beforeAll(async () => {
  leases = await mkdtemp(join(tmpdir(), 'e2e-leases-'));
  holder = await liveProcess();
});
afterAll(() => holder.stop());

/** Writes the lease on `key` as the stand-in holder's. */
async function hold(key: LeaseKey, command: string, pid = holder.pid, start = holder.start): Promise<void> {
  const previous = process.env.MESHPROOF_LEASE_DIR;
  process.env.MESHPROOF_LEASE_DIR = leases;
  try {
    const record = { pid, start, command, since: '2026-12-07T10:00:00.000Z', shared: false };
    await writeFile(leaseFile(key), JSON.stringify({ subject: key.cluster, holders: [record] }));
  } finally {
    if (previous === undefined) delete process.env.MESHPROOF_LEASE_DIR;
    else process.env.MESHPROOF_LEASE_DIR = previous;
  }
}

describe('the lease per cluster on kind and existing clusters', () => {
  it(
    'a run on an existing cluster another meshproof process works on is refused: exit 3, the holder named, no ' +
      'report folder left',
    async () => {
      const kubeconfig = join(await mkdtemp(join(tmpdir(), 'kc-')), 'config');
      await writeFile(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'staging', cluster: { server: 'https://127.0.0.1:1' } }],
          users: [{ name: 'u', user: { token: 't' } }],
          contexts: [{ name: 'ci@staging', context: { cluster: 'staging', user: 'u' } }],
          'current-context': 'ci@staging',
        }),
      );
      await hold(new ExistingTarget({ kubeconfig }).leaseKey()!, 'meshproof run plans/canary.yaml --target existing');
      const reports = await mkdtemp(join(tmpdir(), 'e2e-reports-'));
      const run = await meshproof(['run', 'plans/canary.yaml', '--target', 'existing', '--kubeconfig', kubeconfig], {
        env: { ...env(), MESHPROOF_REPORTS_DIR: reports },
        defaultReportDir: true,
      });
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain(
        `meshproof: environment: the cluster at https://127.0.0.1:1 (context ci@staging) is in use by another ` +
          `meshproof process: pid ${holder.pid} (meshproof run plans/canary.yaml --target existing) since ` +
          `2026-12-07T10:00:00.000Z\n`,
      );
      expect(run.stderr).toMatch(/^hint: .*both must pass --shared/m);
      // Refused before connecting: no phase ran, and the folder made for the report is gone again.
      expect(run.stderr).not.toMatch(/connect to the cluster/);
      expect(await readdir(reports)).toEqual([]);
    },
  );

  it(
    'down on a kind cluster another meshproof process works on deletes nothing: exit 3, the holder ' + 'named',
    async () => {
      await hold(
        new KindTarget({ clusterName: 'lease-e2e' }).leaseKey(),
        'meshproof run plans/canary.yaml --target kind',
      );
      const run = await meshproof(['down', '--target', 'kind', '--name', 'lease-e2e'], { env: env() });
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain(
        `kind cluster "lease-e2e" (context kind-lease-e2e) is in use by another meshproof process: pid ${holder.pid} ` +
          `(meshproof run plans/canary.yaml --target kind)`,
      );
      expect(run.stderr).toMatch(
        /^hint: end that process first .*down never deletes a cluster another meshproof process works on$/m,
      );
      expect(run.stderr).not.toMatch(/deleted|kind command/);
    },
  );

  it('a holder that no longer runs is taken over, and that is said', async () => {
    const gone = await liveProcess();
    await gone.stop();
    await hold(
      new KindTarget({ clusterName: 'lease-gone' }).leaseKey(),
      'meshproof up --target kind',
      gone.pid,
      gone.start,
    );
    // With kind absent or no such cluster, down then fails or deletes nothing; the lease was taken first.
    const run = await meshproof(['down', '--target', 'kind', '--name', 'lease-gone'], { env: env() });
    expect(run.stderr).toContain(
      `took over the lease on kind cluster "lease-gone" (context kind-lease-gone) from pid ${gone.pid} (meshproof ` +
        `up --target kind) since 2026-12-07T10:00:00.000Z, which no longer runs`,
    );
  });
});
