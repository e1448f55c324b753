/**
 * Long-lived local processes (etcd, the API server, …): started detached so they outlive the
 * `meshproof up` that started them, each writing stdout and stderr to its own log file, and
 * stopped by pid. A pid is only trusted while /proc says it still runs the same binary, so a
 * recycled pid is never signalled.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../../../core/errors.js';

export interface DaemonSpec {
  name: string;
  binary: string;
  args: string[];
  log: string;
  env?: Record<string, string>;
  cwd?: string;
}

export interface Daemon {
  name: string;
  pid: number;
  binary: string;
  log: string;
}

export function startDaemon(spec: DaemonSpec): Daemon {
  if (!existsSync(spec.binary))
    throw new EnvironmentError(`cannot start ${spec.name}: ${spec.binary} does not exist`, {
      hint: 'run `npm run controlplane:build`',
    });
  const fd = openSync(spec.log, 'a');
  try {
    const child = spawn(spec.binary, spec.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...noProxy(), ...spec.env },
      cwd: spec.cwd || undefined,
    });
    if (child.pid === undefined) throw new EnvironmentError(`cannot start ${spec.name} (${spec.binary})`);
    // Node still reaps it if it exits while this process lives; it no longer keeps this process alive.
    child.unref();
    child.on('error', () => {});
    return { name: spec.name, pid: child.pid, binary: spec.binary, log: spec.log };
  } finally {
    closeSync(fd);
  }
}

/**
 * Every process here talks to the others on loopback (the API server to istiod's webhook included,
 * and it honours HTTPS_PROXY): loopback is kept out of any proxy the user's environment names.
 */
export function noProxy(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const list = [env.NO_PROXY ?? env.no_proxy, 'localhost', '127.0.0.1'].filter(Boolean).join(',');
  return { NO_PROXY: list, no_proxy: list };
}

/** Whether `d.pid` runs and is still `d.binary` (Linux: /proc; elsewhere only that the pid exists). */
export function isRunning(d: Pick<Daemon, 'pid' | 'binary'>): boolean {
  try {
    process.kill(d.pid, 0);
  } catch {
    return false;
  }
  const proc = `/proc/${d.pid}`;
  if (!existsSync(proc)) return process.platform !== 'linux';
  try {
    const stat = readFileSync(`${proc}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
    const argv0 = readFileSync(`${proc}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0 === d.binary;
  } catch {
    return false;
  }
}

/** Whether `d.pid` is stopped by a signal (SIGSTOP, a debugger): it runs, and answers nothing (Linux only). */
export function isStopped(d: Pick<Daemon, 'pid'>): boolean {
  try {
    return /\) [Tt] /.test(readFileSync(`/proc/${d.pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopDaemon(d: Daemon, graceMs = 10_000): Promise<'stopped' | 'killed' | 'absent'> {
  if (!isRunning(d)) return 'absent';
  signal(d.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(d)) return 'stopped';
    await sleep(100);
  }
  signal(d.pid, 'SIGKILL');
  for (let i = 0; i < 50 && isRunning(d); i++) await sleep(100);
  if (isRunning(d)) throw new EnvironmentError(`${d.name} (pid ${d.pid}) did not stop after SIGKILL`);
  return 'killed';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** The last lines of a log, for an error message that says why a process failed. */
export function logTail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
