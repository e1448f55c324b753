/**
 * Issue 30, item 6: a run killed with SIGKILL leaves its control plane (six processes re-parented
 * to init, etcd's data, the pods' port-forwards) and its lease behind. The next run takes both
 * over, says so, and stops the control plane at its end as the killed run would have. First in
 * the kwok file: it needs a control plane started from nothing by the run it kills.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/core/paths.js';
import { ControlPlane } from '../../src/targets/kwok/control-plane/control-plane.js';
import { isRunning } from '../../src/targets/kwok/control-plane/processes.js';
import { meshproof, root } from '../cli.js';
import { built } from './kwok-env.js';

const MIN = 60_000;
const cp = new ControlPlane(paths.cache);
const tutorial = join(root, 'plans/tutorial.yaml');

describe.skipIf(!built)('6. a run killed with SIGKILL on kwok', () => {
  beforeAll(async () => {
    await meshproof(['down', '--target', 'kwok'], { timeoutMs: MIN });
  }, 2 * MIN);

  it(
    'leaves a control plane the next run takes over, says so, and stops at its end',
    async () => {
      let pid = 0;
      let killed = false;
      const first = await meshproof(['run', tutorial, '--target', 'kwok', '--seed', '1'], {
        timeoutMs: 5 * MIN,
        onSpawn: (p) => (pid = p),
        onStderr: (sofar) => {
          // Killed once it verifies its first step: control plane, istiod and data plane all up.
          if (!killed && pid && /▸ step 1\//.test(sofar)) {
            killed = true;
            process.kill(pid, 'SIGKILL');
          }
        },
      });
      expect(killed, first.stderr).toBe(true);
      expect(first.code).toBeNull();
      const left = cp.readState()!;
      expect(left.daemons.map((d) => d.name)).toHaveLength(6);
      for (const d of left.daemons) expect(isRunning(d), d.name).toBe(true);

      const next = await meshproof(['run', tutorial, '--target', 'kwok', '--seed', '1'], { timeoutMs: 5 * MIN });
      expect(next.code, next.stderr).toBe(0);
      // Stopped at its end, as the killed run would have: no process, no etcd data left.
      expect(cp.readState()).toBeNull();
      for (const d of left.daemons) expect(isRunning(d), d.name).toBe(false);
      expect(existsSync(left.dataDir)).toBe(false);
      // And said: whose lease and whose control plane it took over.
      const since = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
      expect(next.stderr).toMatch(
        new RegExp(
          `took over the lease on the kwok control plane in \\S+ from pid ${pid} \\(meshproof run ` +
            `\\S+tutorial\\.yaml --target kwok --seed 1[^)]*\\) since ${since}, which no longer runs`,
        ),
      );
      expect(next.stderr).toMatch(
        new RegExp(
          `the control plane was started by pid ${pid} \\(meshproof run .*\\) since ${since}, which was to stop it ` +
            `at its end but is gone without doing so: this run takes it over and stops it at its end`,
        ),
      );
      expect(next.stderr).toContain('✓ reuse the running control plane');
    },
    8 * MIN,
  );
});
