/** Last in the kwok file: `down` stops the control plane the suites shared and leaves nothing behind. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/core/paths.js';
import { ControlPlane } from '../../src/targets/kwok/control-plane/control-plane.js';
import { listening } from '../../src/targets/kwok/ports.js';
import { isRunning } from '../../src/targets/kwok/control-plane/processes.js';
import { meshproof } from '../cli.js';
import { built } from './kwok-env.js';
import { closeSharedTarget } from './shared-target.js';

const MIN = 60_000;
const cp = new ControlPlane(paths.cache);

describe.skipIf(!built)('down', () => {
  // The data plane this process served goes first, as when a run ends.
  beforeAll(() => closeSharedTarget());

  it(
    'stops every process and leaves no port behind',
    async () => {
      const state = cp.readState();
      expect(state).not.toBeNull();
      const ports = [...Object.values(state!.ports), ...Object.values(state!.istiodPorts ?? {})];
      expect(state!.daemons.map((d) => d.name)).toEqual([
        'etcd',
        'kube-apiserver',
        'kube-controller-manager',
        'kube-scheduler',
        'kwok',
        'pilot-discovery',
      ]);
      const run = await meshproof(['down', '--target', 'kwok'], { timeoutMs: MIN });
      expect(run.code, run.stderr).toBe(0);
      for (const d of state!.daemons) expect(isRunning(d), d.name).toBe(false);
      for (const p of ports) expect(await listening(p), `port ${p}`).toBe(false);
      expect(existsSync(state!.dataDir)).toBe(false);
      expect(existsSync(cp.layout.kubeconfig)).toBe(false);
      // The logs stay for diagnostics.
      expect(readFileSync(join(cp.layout.logs, 'kube-apiserver.log'), 'utf8').length).toBeGreaterThan(0);
    },
    2 * MIN,
  );
});
