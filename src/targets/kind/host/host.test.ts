import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kindConfig } from '../kind-config.js';
import { missingCapabilities, parseCapBnd } from './capabilities.js';
import {
  CAPFILTER_RUNTIME,
  dockerdArgv,
  dockerdRecordFile,
  installCapfilter,
  installedCapfilter,
  processArgv,
  runningDockerdOfOurs,
  stopDockerd,
} from './dockerd.js';
import { KUBELET_HOST_SYSCTLS, recordHost, restoreHost, sysctlDrift, sysctlPath } from './host-record.js';
import { cgroupVersionOf, localNodeConfig, withLocalNodeConfig } from './node-config.js';
import { aptInstallArgs, packagesFor } from '../build/host-packages.js';

describe('capabilities', () => {
  it("finds what this VM's bounding set lacks", () => {
    const status = 'Name:\tcat\nCapInh:\t0000000000000000\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n';
    expect(parseCapBnd(status)).toBe(0x1fffeffffffn);
    expect(missingCapabilities(parseCapBnd(status)!, 40)).toEqual(['CAP_SYS_RESOURCE']);
    expect(missingCapabilities(0x1ffffffffffn, 40)).toEqual([]);
    expect(missingCapabilities(0x1ffffffffffn, 41)).toEqual(['CAP_41']);
    expect(parseCapBnd('Name: x\n')).toBeNull();
  });
});

describe('dockerd', () => {
  it('gets the capability wrapper as its default runtime only when one is needed', () => {
    expect(dockerdArgv()).toEqual(['dockerd']);
    expect(dockerdArgv('/c/runc-capfilter')).toEqual([
      'dockerd',
      '--add-runtime',
      `${CAPFILTER_RUNTIME}=/c/runc-capfilter`,
      '--default-runtime',
      CAPFILTER_RUNTIME,
    ]);
  });

  it('recognises its own dockerd by pid and command line, and leaves any other alone', async () => {
    const proc = await mkdtemp(join(tmpdir(), 'mp-proc-'));
    const state = await mkdtemp(join(tmpdir(), 'mp-state-'));
    const fakeProc = async (pid: number, argv: string[], state = 'S') => {
      await mkdir(join(proc, String(pid)), { recursive: true });
      await writeFile(join(proc, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
      await writeFile(join(proc, String(pid), 'stat'), `${pid} (dockerd) ${state} 1 2 3`);
    };
    await fakeProc(100, ['dockerd', '--default-runtime', 'x']);
    await fakeProc(101, ['dockerd']);
    await fakeProc(102, ['dockerd'], 'Z');
    expect(processArgv(100, proc)).toEqual(['dockerd', '--default-runtime', 'x']);
    expect(processArgv(102, proc)).toBeNull();
    expect(processArgv(999, proc)).toBeNull();
    expect(await runningDockerdOfOurs(state, proc)).toBeNull();
    await writeFile(
      dockerdRecordFile(state),
      JSON.stringify({ pid: 100, argv: ['dockerd', '--default-runtime', 'x'] }),
    );
    expect(await runningDockerdOfOurs(state, proc)).toMatchObject({ pid: 100 });
    // the same pid now runs something else (pid reuse): not ours
    await writeFile(
      dockerdRecordFile(state),
      JSON.stringify({ pid: 101, argv: ['dockerd', '--default-runtime', 'x'] }),
    );
    expect(await runningDockerdOfOurs(state, proc)).toBeNull();
  });

  it('stops nothing without a record, and drops a record whose process is gone', async () => {
    const state = await mkdtemp(join(tmpdir(), 'mp-state-'));
    expect(await stopDockerd(state)).toEqual({ outcome: 'not-ours' });
    await writeFile(dockerdRecordFile(state), JSON.stringify({ pid: 2 ** 22 + 7, argv: ['dockerd'] }));
    expect(await stopDockerd(state)).toEqual({ outcome: 'not-running', pid: 2 ** 22 + 7 });
    expect(existsSync(dockerdRecordFile(state))).toBe(false);
  });

  it('runs the wrapper from a stable copy that a rebuilt wrapper replaces', async () => {
    const state = await mkdtemp(join(tmpdir(), 'mp-state-'));
    const built = join(state, 'built');
    await writeFile(built, 'v1');
    expect(await installCapfilter(state, built)).toBe(installedCapfilter(state));
    expect(await readFile(installedCapfilter(state), 'utf8')).toBe('v1');
    await writeFile(built, 'v2');
    await installCapfilter(state, built);
    expect(await readFile(installedCapfilter(state), 'utf8')).toBe('v2');
  });

  it('installs what is missing from Debian', () => {
    expect(packagesFor(['dockerd', 'debootstrap'])).toEqual(['docker.io', 'debootstrap']);
    expect(packagesFor(['gcc'])).toEqual(['gcc', 'libc6-dev']);
    expect(packagesFor([])).toEqual([]);
    expect(aptInstallArgs(['docker.io'])).toEqual(['install', '-y', 'docker.io']);
  });
});

describe('host record', () => {
  async function fakeHost(values: Record<string, string>) {
    const procSys = await mkdtemp(join(tmpdir(), 'mp-sys-'));
    for (const [k, v] of Object.entries(values)) {
      const p = sysctlPath(k, procSys);
      await mkdir(join(p, '..'), { recursive: true });
      await writeFile(p, `${v}\n`);
    }
    const root = await mkdtemp(join(tmpdir(), 'mp-root-'));
    return { procSys, root };
  }

  it('puts back the sysctls kubelet changed and removes the /lib/modules Docker created', async () => {
    const host = await fakeHost({
      'vm.overcommit_memory': '0',
      'kernel.panic': '1',
      'kernel.panic_on_oops': '0',
      'vm.panic_on_oom': '0',
    });
    const file = join(host.root, 'state', 'host-before-meshproof.json');
    const r = await recordHost(file, host);
    expect(r.sysctls).toEqual({
      'vm.overcommit_memory': '0',
      'kernel.panic': '1',
      'kernel.panic_on_oops': '0',
      'vm.panic_on_oom': '0',
    });
    expect(r.absentDirs).toEqual(['/lib/modules']);
    // kubelet and docker at work
    await writeFile(sysctlPath('vm.overcommit_memory', host.procSys), '1\n');
    await writeFile(sysctlPath('kernel.panic', host.procSys), '10\n');
    await writeFile(sysctlPath('kernel.panic_on_oops', host.procSys), '1\n');
    await mkdir(join(host.root, 'lib', 'modules'), { recursive: true });
    // a second record (another cluster) keeps the first values
    expect((await recordHost(file, host)).sysctls['kernel.panic']).toBe('1');
    const done = await restoreHost(file, host);
    expect(done).toEqual({
      restored: { 'vm.overcommit_memory': ['1', '0'], 'kernel.panic': ['10', '1'], 'kernel.panic_on_oops': ['1', '0'] },
      removedDirs: ['/lib/modules'],
      failures: [],
    });
    expect(await readFile(sysctlPath('kernel.panic', host.procSys), 'utf8')).toBe('1\n');
    expect(existsSync(join(host.root, 'lib', 'modules'))).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(await restoreHost(file, host)).toBeNull();
  });

  it('keeps a /lib/modules that has content, and knows every sysctl kubelet sets', async () => {
    const host = await fakeHost({ 'kernel.panic': '1' });
    const file = join(host.root, 'rec.json');
    await recordHost(file, host);
    await mkdir(join(host.root, 'lib', 'modules', '6.1'), { recursive: true });
    expect((await restoreHost(file, host))!.removedDirs).toEqual([]);
    expect(KUBELET_HOST_SYSCTLS).toEqual(
      expect.arrayContaining(['vm.overcommit_memory', 'kernel.panic', 'kernel.panic_on_oops']),
    );
    expect(sysctlDrift({ a: '1', b: '2' }, { a: '1', b: '3' })).toEqual({ b: ['3', '2'] });
  });
});

describe('kind config pieces for the locally built node image', () => {
  it('cgroup v1: kubelet allowed on v1, SystemVerification skipped for init and join; nftables kube-proxy', () => {
    const v1 = localNodeConfig({ cgroupVersion: '1' });
    expect(v1.networking).toEqual({ kubeProxyMode: 'nftables' });
    expect(v1.kubeadmConfigPatches.map((p) => parse(p))).toEqual([
      { kind: 'InitConfiguration', nodeRegistration: { ignorePreflightErrors: ['SystemVerification'] } },
      { kind: 'JoinConfiguration', nodeRegistration: { ignorePreflightErrors: ['SystemVerification'] } },
      { kind: 'KubeletConfiguration', failCgroupV1: false },
    ]);
    expect(localNodeConfig({ cgroupVersion: '2' }).kubeadmConfigPatches).toEqual([]);
  });

  it("merges into the kind target's config without losing its nodes and port mappings", () => {
    const base = kindConfig({ nodeImage: 'meshproof.local/kind-node:v1.36.3-abc' });
    const withApi: Record<string, unknown> = { ...base, networking: { apiServerAddress: '127.0.0.1' } };
    const merged = withLocalNodeConfig(withApi, localNodeConfig({ cgroupVersion: '1' }));
    expect(merged.nodes).toEqual(base.nodes);
    expect(merged.networking).toEqual({ apiServerAddress: '127.0.0.1', kubeProxyMode: 'nftables' });
    expect(merged.kubeadmConfigPatches).toHaveLength(3);
    expect(withLocalNodeConfig(base, localNodeConfig({ cgroupVersion: '2' }))).not.toHaveProperty(
      'kubeadmConfigPatches',
    );
  });

  it('reads the cgroup version from the mount table', () => {
    expect(cgroupVersionOf('cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n')).toBe('2');
    expect(cgroupVersionOf('tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n')).toBe(
      '1',
    );
  });
});
