/**
 * Another process for tests of leases and locks: one that runs (a `sleep`), and the record of one
 * that has ended. Records name them as a meshproof process's would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { processStart, type ProcessRef } from '../process-identity.js';

export interface OtherProcess extends ProcessRef {
  stop(): Promise<void>;
}

/** A process that runs until stopped. */
export async function liveProcess(): Promise<OtherProcess> {
  const child: ChildProcess = spawn('sleep', ['600'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  const pid = child.pid!;
  return {
    pid,
    start: processStart(pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The record of a process that ran and has ended (reaped, so its pid no longer names it). */
export async function endedProcess(): Promise<ProcessRef> {
  const p = await liveProcess();
  await p.stop();
  return { pid: p.pid, start: p.start };
}
