/**
 * Whether the kwok control plane still stands while a run uses it: every recorded process runs
 * (and is not stopped), the API server is ready (its /readyz checks etcd), and istiod answers
 * /ready. The target asks it when a step does not pass and while a step settles.
 */
import { request } from 'undici';
import { LOOPBACK } from '../ports.js';
import type { ControlPlane, ControlPlaneState } from './control-plane.js';
import { isRunning, isStopped } from './processes.js';

/** What is wrong, each problem once, or null. */
export async function controlPlaneHealth(cp: ControlPlane): Promise<string | null> {
  const state = cp.readState();
  if (!state) return `the control plane is gone: no ${cp.layout.state}`;
  const problems: string[] = [];
  for (const d of state.daemons) {
    if (!isRunning(d)) problems.push(`${d.name} (pid ${d.pid}) is not running`);
    else if (isStopped(d)) problems.push(`${d.name} (pid ${d.pid}) is stopped (SIGSTOP): it answers nothing`);
  }
  const down = new Set(problems.map((p) => p.split(' ')[0]));
  if (!down.has('kube-apiserver')) {
    const ready = await cp.apiserverReady(state).catch((err: Error) => err.message);
    if (ready !== true) problems.push(`kube-apiserver is not ready: ${ready}`);
  }
  if (!down.has('pilot-discovery') && state.istiodPorts && state.daemons.some((d) => d.name === 'pilot-discovery')) {
    const ready = await istiodReady(state);
    if (ready !== true) problems.push(`istiod (pilot-discovery) does not answer /ready: ${ready}`);
  }
  return problems.length ? problems.join('; ') : null;
}

async function istiodReady(state: ControlPlaneState): Promise<true | string> {
  try {
    const res = await request(`http://${LOOPBACK}:${state.istiodPorts!.http}/ready`, {
      headersTimeout: 3_000,
      bodyTimeout: 3_000,
    });
    await res.body.dump();
    return res.statusCode === 200 ? true : `HTTP ${res.statusCode}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}
