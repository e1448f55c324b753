/**
 * `doctor` on this machine says what is true of it (cgroup v1, where it is, is a warning that
 * names the settings that make it work), and `down` deletes the suite's cluster: no kind container
 * is left and the sysctls kubelet rewrote are as they were before the cluster.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readDockerdRecord, stopDockerd } from '../../src/targets/kind/host/dockerd.js';
import { hostStateDir } from '../../src/targets/kind/host/state-dir.js';
import { checked, zxRunner } from '../../src/core/process.js';
import { cgroupVersionOf } from '../../src/targets/kind/host/node-config.js';
import { snapshotHost } from '../../src/targets/kind/host/host-record.js';
import { readFileSync } from 'node:fs';
import { built, CLUSTER, MIN, onKind, SUITE_START } from './kind-env.js';
import { sysctlsBefore } from './tutorial.suite.js';

describe.skipIf(!built)('doctor and down on kind', () => {
  // A dockerd the suite's runs started is stopped; one that ran before (a user's, or CI's build) is left.
  afterAll(async () => {
    const record = await readDockerdRecord(hostStateDir());
    if (record && Date.parse(record.startedAt) >= SUITE_START) await stopDockerd(hostStateDir());
  }, 2 * MIN);

  it('doctor finds the kind target usable here', async () => {
    const run = await onKind(['doctor']);
    expect(run.stdout + run.stderr).toMatch(/kind/);
    if (cgroupVersionOf(readFileSync('/proc/mounts', 'utf8')) === '1')
      expect(run.stdout + run.stderr).toMatch(/cgroup v1 \(works\)[\s\S]*failCgroupV1: false/);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it(
    'down leaves no kind container and the host sysctls as they were',
    async () => {
      const run = await onKind(['down']);
      expect(run.code, run.stderr).toBe(0);
      const left = await checked(zxRunner, 'docker', [
        'ps',
        '--all',
        '--quiet',
        '--filter',
        `label=io.x-k8s.kind.cluster=${CLUSTER}`,
      ]);
      expect(left.trim()).toBe('');
      expect(Object.keys(sysctlsBefore).length).toBeGreaterThan(0);
      expect(snapshotHost().sysctls).toEqual(sysctlsBefore);
    },
    5 * MIN,
  );
});
