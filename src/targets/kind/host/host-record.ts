/**
 * What a kind cluster changes on the host, recorded before it is created and put back after it is
 * deleted. kubelet (protectKernelDefaults: false, kind's setting) writes non-namespaced sysctls,
 * which inside a kind node are the host's: on this machine vm.overcommit_memory 0→1, kernel.panic
 * 1→10 and kernel.panic_on_oops 0→1. And Docker creates the bind-mount source /lib/modules when the
 * host has none (kind mounts it into every node).
 *
 * The record is written once: a second cluster, or a `record` after a crash, keeps the first
 * values, which are the host's own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The sysctls kubelet may set on start (pkg/kubelet/cm/container_manager_linux.go, setupKernelTunables). */
export const KUBELET_HOST_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
] as const;

/** Folders Docker creates on the host as bind-mount sources for a kind node. */
export const KIND_BIND_SOURCES = ['/lib/modules'] as const;

export interface HostRecord {
  recordedAt: string;
  /** sysctl name → value before the cluster. */
  sysctls: Record<string, string>;
  /** Bind-mount sources that did not exist before the cluster: removed after it when still empty. */
  absentDirs: string[];
}

export interface HostPaths {
  /** Default /proc/sys. */
  procSys?: string;
  /** Prefix for KIND_BIND_SOURCES (tests). Default ''. */
  root?: string;
}

export const sysctlPath = (name: string, procSys = '/proc/sys') => join(procSys, ...name.split('.'));

function readSysctl(name: string, procSys: string): string | undefined {
  try {
    return readFileSync(sysctlPath(name, procSys), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The host's current values and which bind sources are absent. */
export function snapshotHost(p: HostPaths = {}): HostRecord {
  const procSys = p.procSys ?? '/proc/sys';
  const sysctls: Record<string, string> = {};
  for (const name of KUBELET_HOST_SYSCTLS) {
    const v = readSysctl(name, procSys);
    if (v !== undefined) sysctls[name] = v;
  }
  const absentDirs = KIND_BIND_SOURCES.filter((d) => !existsSync(`${p.root ?? ''}${d}`));
  return { recordedAt: new Date().toISOString(), sysctls, absentDirs };
}

/** Writes the host's state to `file` unless a record is already there; returns the record in force. */
export async function recordHost(file: string, p: HostPaths = {}): Promise<HostRecord> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as HostRecord;
  const r = snapshotHost(p);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
  return r;
}

export interface RestoreResult {
  /** sysctl → [value found, value written back]. */
  restored: Record<string, [string, string]>;
  /** Bind sources removed (they were created for the cluster and are empty). */
  removedDirs: string[];
  /** Writes that failed, with the reason (e.g. not root). */
  failures: string[];
}

/** Differences between a record and the host now (pure): sysctl → [now, recorded]. */
export function sysctlDrift(
  recorded: Record<string, string>,
  now: Record<string, string>,
): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {};
  for (const [name, before] of Object.entries(recorded)) {
    const current = now[name];
    if (current !== undefined && current !== before) out[name] = [current, before];
  }
  return out;
}

/** Puts back what `recordHost` wrote and removes the record (kept when a write failed, to try again). */
export async function restoreHost(file: string, p: HostPaths = {}): Promise<RestoreResult | null> {
  if (!existsSync(file)) return null;
  const record = JSON.parse(await readFile(file, 'utf8')) as HostRecord;
  const procSys = p.procSys ?? '/proc/sys';
  const now = snapshotHost(p);
  const drift = sysctlDrift(record.sysctls, now.sysctls);
  const result: RestoreResult = { restored: {}, removedDirs: [], failures: [] };
  for (const [name, [current, before]] of Object.entries(drift)) {
    try {
      await writeFile(sysctlPath(name, procSys), `${before}\n`);
      result.restored[name] = [current, before];
    } catch (err) {
      result.failures.push(`${name}=${before}: ${(err as Error).message}`);
    }
  }
  for (const d of record.absentDirs) {
    const path = `${p.root ?? ''}${d}`;
    if (existsSync(path) && readdirSync(path).length === 0) {
      try {
        await rmdir(path);
        result.removedDirs.push(d);
      } catch (err) {
        result.failures.push(`rmdir ${d}: ${(err as Error).message}`);
      }
    }
  }
  if (!result.failures.length) await rm(file, { force: true });
  return result;
}

export const hostRecordFile = (stateDir: string, cluster: string) => join(stateDir, `host-before-${cluster}.json`);
