/**
 * What a dockerd changes on the host besides running, undone when meshproof stops a dockerd it
 * started: it turns on IP forwarding (and sets the iptables FORWARD policy to DROP when it did),
 * adds its iptables chains and rules (DOCKER, DOCKER-USER, DOCKER-ISOLATION-STAGE-*, masquerading
 * of its networks), and leaves its bridges (docker0, br-<network id>) behind when it stops.
 * A snapshot is taken before dockerd starts; after it has stopped, exactly what was added is
 * removed and what was changed is set back: rules and chains that were there before stay.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandRunner } from '../../../core/process.js';

export const FORWARDING_SYSCTLS = [
  'net.ipv4.ip_forward',
  'net.ipv6.conf.all.forwarding',
  'net.ipv6.conf.default.forwarding',
] as const;

export interface DockerHostSnapshot {
  sysctls: Record<string, string>;
  /** `iptables-save` output; null when iptables-save is not there. */
  iptables: string | null;
  links: string[];
}

interface Table {
  /** chain → policy (`-` for a user chain). */
  chains: Map<string, string>;
  rules: string[];
}

/** iptables-save text → tables (pure). */
export function parseIptablesSave(text: string): Map<string, Table> {
  const tables = new Map<string, Table>();
  let current: Table | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      current = { chains: new Map(), rules: [] };
      tables.set(line.slice(1), current);
    } else if (current && line.startsWith(':')) {
      const [chain, policy] = line.slice(1).split(/\s+/);
      current.chains.set(chain!, policy ?? '-');
    } else if (current && line.startsWith('-A ')) {
      current.rules.push(line);
    }
  }
  return tables;
}

/** The iptables-restore --noflush input that takes `after` back to `before` (pure); null when nothing differs. */
export function iptablesUndo(before: string, after: string): string | null {
  const b = parseIptablesSave(before);
  const out: string[] = [];
  for (const [name, t] of parseIptablesSave(after)) {
    const old = b.get(name) ?? { chains: new Map<string, string>(), rules: [] };
    const newChains = [...t.chains].filter(([c, p]) => p === '-' && !old.chains.has(c)).map(([c]) => c);
    const policies = [...t.chains]
      .filter(([c, p]) => p !== '-' && p !== (old.chains.get(c) ?? 'ACCEPT'))
      .map(([c]) => `:${c} ${old.chains.get(c) ?? 'ACCEPT'} [0:0]`);
    const oldRules = new Set(old.rules);
    const added = t.rules.filter((r) => !oldRules.has(r) && !newChains.includes(r.split(/\s+/)[1]!));
    if (!newChains.length && !policies.length && !added.length) continue;
    out.push(
      `*${name}`,
      ...policies,
      ...added.map((r) => `-D${r.slice(2)}`),
      ...newChains.map((c) => `-F ${c}`),
      ...newChains.map((c) => `-X ${c}`),
      'COMMIT',
    );
  }
  return out.length ? `${out.join('\n')}\n` : null;
}

/** Bridges dockerd made: present after and not before (pure). */
export function dockerLinksToDelete(before: readonly string[], after: readonly string[]): string[] {
  return after.filter((l) => !before.includes(l) && /^(docker0|br-[0-9a-f]{12})$/.test(l));
}

function readSysctls(procSys: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDING_SYSCTLS) {
    try {
      out[name] = readFileSync(join(procSys, ...name.split('.')), 'utf8').trim();
    } catch {
      // not on this kernel
    }
  }
  return out;
}

export async function snapshotDockerHost(runner: CommandRunner, procSys = '/proc/sys'): Promise<DockerHostSnapshot> {
  const save = await runner.run('iptables-save', [], { timeoutMs: 20_000 });
  const links = await runner.run('ip', ['-o', 'link', 'show'], { timeoutMs: 20_000 });
  return {
    sysctls: readSysctls(procSys),
    iptables: save.exitCode === 0 ? save.stdout : null,
    links: links.stdout
      .split('\n')
      .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
      .filter((l): l is string => !!l),
  };
}

export interface DockerHostUndo {
  sysctls: string[];
  iptables: boolean;
  links: string[];
  failures: string[];
}

/** After dockerd has stopped: removes what it added since `before` and sets back what it changed. */
export async function undoDockerHost(
  runner: CommandRunner,
  before: DockerHostSnapshot,
  procSys = '/proc/sys',
): Promise<DockerHostUndo> {
  const now = await snapshotDockerHost(runner, procSys);
  const done: DockerHostUndo = { sysctls: [], iptables: false, links: [], failures: [] };
  if (before.iptables !== null && now.iptables !== null) {
    const script = iptablesUndo(before.iptables, now.iptables);
    if (script) {
      const r = await runner.run('iptables-restore', ['--noflush'], { input: script, timeoutMs: 20_000 });
      if (r.exitCode === 0) done.iptables = true;
      else done.failures.push(`iptables-restore --noflush: ${r.stderr.trim()}`);
    }
  }
  for (const link of dockerLinksToDelete(before.links, now.links)) {
    const r = await runner.run('ip', ['link', 'delete', link], { timeoutMs: 20_000 });
    if (r.exitCode === 0) done.links.push(link);
    else done.failures.push(`ip link delete ${link}: ${r.stderr.trim()}`);
  }
  for (const [name, value] of Object.entries(before.sysctls)) {
    if (now.sysctls[name] === undefined || now.sysctls[name] === value) continue;
    try {
      writeFileSync(join(procSys, ...name.split('.')), `${value}\n`);
      done.sysctls.push(`${name} ${now.sysctls[name]}→${value}`);
    } catch (err) {
      done.failures.push(`${name}=${value}: ${(err as Error).message}`);
    }
  }
  return done;
}
