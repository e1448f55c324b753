/**
 * What `up --target kwok` does while it serves: every few seconds it reads the control plane's
 * state, says what changed since it last looked (a process another meshproof process restarted,
 * the control plane stopped or replaced), and has a process that died restarted in place. The
 * data plane it serves was configured by this control plane: once that is stopped or replaced,
 * serving ends with an environment error instead of answering with stale routes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../../core/errors.js';
import type { WatchOptions } from '../target.js';
import type { ControlPlaneState } from './control-plane/control-plane.js';
import { isRunning, type Daemon } from './control-plane/processes.js';

export interface ControlPlaneWatch extends WatchOptions {
  read: () => ControlPlaneState | null;
  /** Restarts the given dead processes in place; returns what it says about each. */
  repair: (dead: Daemon[]) => Promise<string[]>;
  intervalMs: number;
  /** Whether a recorded process runs; default: its pid runs the recorded binary. */
  running?: (d: Daemon) => boolean;
}

export interface Changes {
  lines: string[];
  /** Set when the control plane this process served is no longer there: why. */
  gone?: string;
}

/** Until `signal` aborts (resolves) or the control plane is gone (rejects). */
export async function watchControlPlane(first: ControlPlaneState, w: ControlPlaneWatch): Promise<void> {
  const running = w.running ?? isRunning;
  let seen = first;
  const failed = new Set<string>();
  for (;;) {
    try {
      await sleep(w.intervalMs, undefined, { signal: w.signal });
    } catch {
      return;
    }
    const now = w.read();
    const { lines, gone } = changesBetween(seen, now);
    for (const l of lines) w.say(l);
    if (gone || !now)
      throw new EnvironmentError(gone ?? 'the kwok control plane is gone', {
        hint: '`meshproof up --target kwok` again serves Bookinfo from the control plane that runs now',
      });
    seen = now;
    const dead = now.daemons.filter((d) => !running(d));
    if (!dead.length) continue;
    let said: string[];
    try {
      said = await w.repair(dead);
    } catch (err) {
      said = [
        `could not restart ${dead.map((d) => d.name).join(', ')} in place: ${(err as Error).message.split('\n')[0]}`,
      ];
    }
    // A repair that keeps failing is said once, not every few seconds.
    for (const l of said) if (!failed.has(l)) w.say(l);
    for (const l of said) if (l.startsWith('could not')) failed.add(l);
    seen = w.read() ?? seen;
  }
}

/** What differs between two readings of the state, as lines for the person watching `up`. */
export function changesBetween(before: ControlPlaneState, after: ControlPlaneState | null): Changes {
  if (!after)
    return {
      lines: [],
      gone:
        'the kwok control plane this process serves was stopped (its state file is gone): ' +
        'the data plane here no longer has a control plane',
    };
  if (after.startedAt !== before.startedAt) {
    const by = after.startedBy ? ` by pid ${after.startedBy.pid} (${after.startedBy.command})` : '';
    return {
      lines: [],
      gone:
        `the kwok control plane was replaced under this process: a new one was started at ${after.startedAt}${by}, ` +
        'and the data plane here was configured by the old one',
    };
  }
  const lines: string[] = [];
  for (const d of after.daemons) {
    const was = before.daemons.find((x) => x.name === d.name);
    if (!was) lines.push(`${label(d)} was started by another process: pid ${d.pid}`);
    else if (was.pid !== d.pid) lines.push(`${label(d)} was restarted by another process: pid ${was.pid} → ${d.pid}`);
  }
  for (const d of before.daemons)
    if (!after.daemons.some((x) => x.name === d.name))
      lines.push(`${label(d)} (pid ${d.pid}) was taken out of the control plane by another process`);
  const was = before.startedBy;
  const is = after.startedBy;
  if (is && (!was || was.pid !== is.pid))
    lines.push(
      `the control plane was taken over by pid ${is.pid} (${is.command}), ` +
        `which ${is.stopsIt ? 'stops it at its end' : 'keeps it'}`,
    );
  return { lines };
}

function label(d: Daemon): string {
  return d.name === 'pilot-discovery' ? 'istiod (pilot-discovery)' : d.name;
}
