/**
 * Which Linux capabilities the host's bounding set lacks. Docker gives `--privileged` containers
 * (every kind node) every capability the kernel knows; where root's bounding set lacks one (this
 * VM has no CAP_SYS_RESOURCE), runc fails with "unable to apply caps: operation not permitted",
 * and dockerd needs tools/kind-node/runc-capfilter as its default runtime.
 */
import { readFileSync } from 'node:fs';

/** Capability names by bit number (linux/capability.h). */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The CapBnd mask of a /proc/<pid>/status text, or null when it has none. */
export function parseCapBnd(status: string): bigint | null {
  const m = /^CapBnd:\s*([0-9a-f]+)\s*$/im.exec(status);
  return m ? BigInt(`0x${m[1]}`) : null;
}

/** Capabilities up to `lastCap` (the kernel's /proc/sys/kernel/cap_last_cap) missing from `bounding`, by name. */
export function missingCapabilities(bounding: bigint, lastCap: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit <= lastCap; bit++) {
    if ((bounding & (1n << BigInt(bit))) === 0n) out.push(CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
  }
  return out;
}

/** What this process's bounding set lacks of what the kernel knows. */
export function hostMissingCapabilities(procDir = '/proc'): string[] {
  const bounding = parseCapBnd(readFileSync(`${procDir}/self/status`, 'utf8'));
  const lastCap = Number(readFileSync(`${procDir}/sys/kernel/cap_last_cap`, 'utf8').trim());
  if (bounding === null || !Number.isInteger(lastCap)) return [];
  return missingCapabilities(bounding, lastCap);
}
