/**
 * Starting and stopping the Docker daemon, for hosts where it is installed but not running (a CI
 * VM, this machine). meshproof starts dockerd only when no daemon answers, records what it started
 * (pid and command line) under the host state folder, and stops only that process, checked by its
 * command line, never a dockerd someone else started. Where the host's bounding set lacks a
 * capability, dockerd gets runc-capfilter as its default runtime (capabilities.ts says why).
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../../../core/errors.js';
import { type CommandRunner, zxRunner } from '../../../core/process.js';
import { dockerState } from '../docker.js';
import { hostMissingCapabilities } from './capabilities.js';
import {
  snapshotDockerHost,
  undoDockerHost,
  type DockerHostSnapshot,
  type DockerHostUndo,
} from './docker-host-state.js';

export const CAPFILTER_RUNTIME = 'meshproof-capfilter';

/** What meshproof writes when it starts dockerd. */
export interface DockerdRecord {
  pid: number;
  /** The command line, as /proc/<pid>/cmdline shows it: how `stop` recognises its own dockerd. */
  argv: string[];
  log: string;
  startedAt: string;
  /** Capabilities the host lacks (why the wrapper runtime is the default), if any. */
  missingCapabilities: string[];
  /** Forwarding, iptables and links before dockerd started: what `stop` sets back. */
  hostBefore?: DockerHostSnapshot;
}

export interface DockerdOptions {
  runner: CommandRunner;
  /** The host state folder (state-dir.ts). */
  stateDir: string;
  /** Path of the built runc-capfilter; needed when the host lacks a capability. */
  capfilter?: string;
  /** Default: read from /proc. */
  missingCapabilities?: string[];
  startTimeoutMs?: number;
  onProgress?: (message: string) => void;
}

export interface DockerdStatus {
  /** True when this call started dockerd. */
  started: boolean;
  /** True when the running dockerd is one meshproof started (now or earlier). */
  ours: boolean;
  record?: DockerdRecord;
  /** The daemon's default runtime, when it was already running and lacks the wrapper the host needs. */
  warning?: string;
}

export const dockerdRecordFile = (stateDir: string) => join(stateDir, 'dockerd.json');

/**
 * dockerd runs the wrapper from here, not from the content store, whose folders are replaced when
 * the wrapper's sources change: a copy replaced by rename is what the next container start runs.
 */
export const installedCapfilter = (stateDir: string) => join(stateDir, 'runc-capfilter');

export async function installCapfilter(stateDir: string, built: string): Promise<string> {
  const dest = installedCapfilter(stateDir);
  if (existsSync(dest) && readFileSync(dest).equals(readFileSync(built))) return dest;
  await mkdir(stateDir, { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  await copyFile(built, tmp);
  await chmod(tmp, 0o755);
  await rename(tmp, dest);
  return dest;
}

/** dockerd's command line: the wrapper runtime as the default when the host lacks a capability. */
export function dockerdArgv(capfilter?: string): string[] {
  return [
    'dockerd',
    ...(capfilter
      ? ['--add-runtime', `${CAPFILTER_RUNTIME}=${capfilter}`, '--default-runtime', CAPFILTER_RUNTIME]
      : []),
  ];
}

/** The command line of a running process, or null when there is none (or it is a zombie). */
export function processArgv(pid: number, procDir = '/proc'): string[] | null {
  try {
    const stat = readFileSync(join(procDir, String(pid), 'stat'), 'utf8');
    if (/\)\s+Z\s/.test(stat)) return null;
    return readFileSync(join(procDir, String(pid), 'cmdline'), 'utf8')
      .split('\0')
      .filter(Boolean);
  } catch {
    return null;
  }
}

export async function readDockerdRecord(stateDir: string): Promise<DockerdRecord | null> {
  const file = dockerdRecordFile(stateDir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DockerdRecord;
  } catch {
    return null;
  }
}

/** The recorded dockerd when that very process still runs (same pid, same command line). */
export async function runningDockerdOfOurs(stateDir: string, procDir = '/proc'): Promise<DockerdRecord | null> {
  const r = await readDockerdRecord(stateDir);
  if (!r) return null;
  const argv = processArgv(r.pid, procDir);
  return argv && argv.join('\0') === r.argv.join('\0') ? r : null;
}

/** Makes sure a Docker daemon answers: uses a running one, or starts dockerd and records it. */
export async function ensureDockerd(o: DockerdOptions): Promise<DockerdStatus> {
  const say = o.onProgress ?? (() => {});
  const missing = o.missingCapabilities ?? hostMissingCapabilities();
  const capfilter = o.capfilter && missing.length ? await installCapfilter(o.stateDir, o.capfilter) : undefined;
  const state = await dockerState(o.runner, 10_000);
  if (state.ok) {
    const ours = await runningDockerdOfOurs(o.stateDir);
    let warning: string | undefined;
    if (missing.length && !ours) {
      const rt = await o.runner.run('docker', ['info', '--format', '{{.DefaultRuntime}}'], { timeoutMs: 10_000 });
      if (rt.exitCode === 0 && rt.stdout.trim() !== CAPFILTER_RUNTIME) {
        const argv = dockerdArgv(capfilter ?? '<runc-capfilter>')
          .slice(1)
          .join(' ');
        warning =
          `the running dockerd's default runtime is ${rt.stdout.trim()}, and this host lacks ${missing.join(', ')}: ` +
          `privileged containers (kind nodes) will fail to start; restart dockerd with ${argv}`;
      }
    }
    return { started: false, ours: ours !== null, ...(ours ? { record: ours } : {}), ...(warning ? { warning } : {}) };
  }
  if (state.reason === 'no-client')
    throw new EnvironmentError('Docker is not installed', {
      hint: 'apt-get install -y docker.io (npm run kind:build does this when run as root)',
    });
  if (missing.length && !capfilter) {
    throw new EnvironmentError(
      `dockerd is not running, and this host lacks ${missing.join(', ')}: it needs runc-capfilter as its runtime`,
      { hint: 'npm run kind:build builds it and starts dockerd with it' },
    );
  }
  await mkdir(o.stateDir, { recursive: true });
  const log = join(o.stateDir, 'dockerd.log');
  const argv = dockerdArgv(capfilter);
  say(`starting ${argv.join(' ')} (log: ${log})`);
  const hostBefore = await snapshotDockerHost(o.runner);
  const fd = openSync(log, 'a');
  let pid: number | undefined;
  try {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    child.unref();
    pid = child.pid;
    if (pid === undefined) throw await spawnError;
  } catch (err) {
    throw new EnvironmentError(`could not start ${argv.join(' ')}`, {
      cause: err,
      hint: 'is docker.io installed? apt-get install -y docker.io',
    });
  } finally {
    closeSync(fd);
  }
  const record: DockerdRecord = {
    pid,
    argv,
    log,
    startedAt: new Date().toISOString(),
    missingCapabilities: missing,
    hostBefore,
  };
  await writeFile(dockerdRecordFile(o.stateDir), `${JSON.stringify(record, null, 2)}\n`);
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if ((await dockerState(o.runner, 5000)).ok) {
      // The command line as the kernel shows it, now that the process has surely exec'd.
      record.argv = processArgv(pid) ?? record.argv;
      await writeFile(dockerdRecordFile(o.stateDir), `${JSON.stringify(record, null, 2)}\n`);
      return { started: true, ours: true, record };
    }
    if (!processArgv(pid)) break;
    await sleep(500);
  }
  const tail = existsSync(log) ? (await readFile(log, 'utf8')).split('\n').slice(-15).join('\n') : '';
  await stopDockerd(o.stateDir, o.runner).catch(() => undefined);
  throw new EnvironmentError(
    `dockerd (pid ${pid}) did not answer within ${(o.startTimeoutMs ?? 60_000) / 1000}s\n${tail}`,
    { hint: `see ${log}` },
  );
}

export interface StopResult {
  /** What was stopped, or why nothing was. */
  outcome: 'stopped' | 'not-ours' | 'not-running';
  pid?: number;
  /** What of dockerd's host changes was set back (docker-host-state.ts). */
  undo?: DockerHostUndo;
}

/**
 * Stops the dockerd meshproof started, if it still runs: SIGTERM (dockerd stops its containers and
 * its containerd), then SIGKILL after `timeoutMs`; then sets back the forwarding, iptables and
 * bridges it changed. A dockerd meshproof did not start is left alone.
 */
export async function stopDockerd(
  stateDir: string,
  runner: CommandRunner = zxRunner,
  timeoutMs = 60_000,
): Promise<StopResult> {
  const record = await readDockerdRecord(stateDir);
  if (!record) return { outcome: 'not-ours' };
  const ours = await runningDockerdOfOurs(stateDir);
  if (!ours) {
    await rm(dockerdRecordFile(stateDir), { force: true });
    return { outcome: 'not-running', pid: record.pid };
  }
  process.kill(ours.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (processArgv(ours.pid) && Date.now() < deadline) await sleep(250);
  if (processArgv(ours.pid)) {
    process.kill(ours.pid, 'SIGKILL');
    while (processArgv(ours.pid)) await sleep(100);
  }
  const undo = ours.hostBefore ? await undoDockerHost(runner, ours.hostBefore) : undefined;
  await rm(dockerdRecordFile(stateDir), { force: true });
  return { outcome: 'stopped', pid: ours.pid, ...(undo ? { undo } : {}) };
}

/** One line on what `stopDockerd` did. */
export function describeStop(r: StopResult): string {
  if (r.outcome === 'not-ours') return 'no dockerd started by meshproof is recorded; nothing stopped';
  if (r.outcome === 'not-running') return `the dockerd meshproof started (pid ${r.pid}) was no longer running`;
  const u = r.undo;
  const undone = u
    ? [
        ...u.sysctls,
        ...(u.iptables ? ['its iptables chains and rules removed'] : []),
        ...(u.links.length ? [`${u.links.join(', ')} deleted`] : []),
      ]
    : [];
  return (
    `stopped the dockerd meshproof started (pid ${r.pid})` +
    (undone.length ? `; host set back: ${undone.join(', ')}` : '') +
    (u?.failures.length ? `; COULD NOT undo: ${u.failures.join('; ')}` : '')
  );
}
