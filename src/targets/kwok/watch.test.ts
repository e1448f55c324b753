import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../core/errors.js';
import type { ControlPlaneState } from './control-plane/control-plane.js';
import type { Daemon } from './control-plane/processes.js';
import { changesBetween, watchControlPlane } from './watch.js';

const daemon = (name: string, pid: number): Daemon => ({ name, pid, binary: `/bin/${name}`, log: `/logs/${name}.log` });

function state(pids: Record<string, number>, extra: Partial<ControlPlaneState> = {}): ControlPlaneState {
  return {
    ports: { etcdClient: 1, etcdPeer: 2, apiserver: 3, controllerManager: 4, scheduler: 5, kwok: 6 },
    daemons: Object.entries(pids).map(([n, p]) => daemon(n, p)),
    dataDir: '/tmp/meshproof-etcd-x',
    startedAt: '2026-12-07T10:00:00.000Z',
    token: 't',
    ...extra,
  };
}

const ALL = { etcd: 10, 'kube-apiserver': 11, kwok: 14, 'pilot-discovery': 20 };

describe('changesBetween: what `up` says changed under it', () => {
  it('a process another meshproof process restarted, and one it took out', () => {
    expect(changesBetween(state(ALL), state({ ...ALL, 'pilot-discovery': 21 }))).toEqual({
      lines: ['istiod (pilot-discovery) was restarted by another process: pid 20 → 21'],
    });
    expect(changesBetween(state(ALL), state({ etcd: 10, 'kube-apiserver': 11, kwok: 14 })).lines).toEqual([
      'istiod (pilot-discovery) (pid 20) was taken out of the control plane by another process',
    ]);
    expect(changesBetween(state(ALL), state(ALL))).toEqual({ lines: [] });
  });

  it('the control plane stopped, or replaced by a new one: gone, with why', () => {
    expect(changesBetween(state(ALL), null).gone).toMatch(/^the kwok control plane this process serves was stopped/);
    const replaced = changesBetween(
      state(ALL),
      state(ALL, {
        startedAt: '2026-12-07T11:00:00.000Z',
        startedBy: { pid: 77, start: '1', command: 'meshproof run x.yaml', since: 's', stopsIt: true },
      }),
    );
    expect(replaced.gone).toBe(
      'the kwok control plane was replaced under this process: a new one was started at 2026-12-07T11:00:00.000Z by ' +
        'pid 77 (meshproof run x.yaml), and the data plane here was configured by the old one',
    );
  });
});

describe('watchControlPlane', () => {
  it(
    'has a process that died restarted in place and says so; says a failing repair once; ends when ' + 'interrupted',
    async () => {
      let current = state(ALL);
      const said: string[] = [];
      const stop = new AbortController();
      let repairs = 0;
      const watching = watchControlPlane(current, {
        read: () => current,
        running: (d) => d.pid !== 20,
        repair: async (dead) => {
          repairs++;
          if (repairs === 1) {
            current = state({ ...ALL, 'pilot-discovery': 22 });
            return [`${dead[0]!.name} (pid ${dead[0]!.pid}) died: restarted in place, pid 22`];
          }
          throw new Error('never reached');
        },
        intervalMs: 5,
        say: (l) => said.push(l),
        signal: stop.signal,
      });
      await new Promise((r) => setTimeout(r, 60));
      stop.abort();
      await watching;
      // Its own restart is not reported again as another process's.
      expect(said).toEqual(['pilot-discovery (pid 20) died: restarted in place, pid 22']);
      expect(repairs).toBe(1);
    },
  );

  it('a repair that keeps failing is said once', async () => {
    const said: string[] = [];
    const stop = new AbortController();
    const watching = watchControlPlane(state(ALL), {
      read: () => state(ALL),
      running: (d) => d.name !== 'etcd',
      repair: async () => {
        throw new Error('port 2379 is taken');
      },
      intervalMs: 5,
      say: (l) => said.push(l),
      signal: stop.signal,
    });
    await new Promise((r) => setTimeout(r, 60));
    stop.abort();
    await watching;
    expect(said).toEqual(['could not restart etcd in place: port 2379 is taken']);
  });

  it('rejects once the control plane it serves is gone', async () => {
    const err = await watchControlPlane(state(ALL), {
      read: () => null,
      repair: async () => [],
      intervalMs: 5,
      say: () => {},
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).hint).toMatch(/meshproof up --target kwok/);
  });
});
