import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doctorReady } from '../doctor-check.js';
import { doctor, type DoctorOptions } from './doctor.js';
import { FakeRunner, fail, ok } from '../../core/testing/fake-runner.js';
import { freePort } from '../cluster/testing/fake-cluster.js';

let registry: Server;
let registryUrl: string;
let hang: Server;
let hangUrl: string;
const procOk: Record<string, string> = {
  '/proc/sys/fs/inotify/max_user_watches': '524288\n',
  '/proc/sys/fs/inotify/max_user_instances': '512\n',
  '/sys/fs/cgroup/cgroup.controllers': 'cpu memory pids\n',
};

beforeEach(async () => {
  registry = createServer((_, res) =>
    res.writeHead(401, { 'www-authenticate': 'Bearer realm="x"' }).end('{"errors":[]}'),
  );
  await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/v2/`;
  hang = createServer(() => undefined);
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/v2/`;
});
afterEach(async () => {
  hang.closeAllConnections();
  registry.closeAllConnections();
  await Promise.all([new Promise((r) => registry.close(r)), new Promise((r) => hang.close(r))]);
});

const healthyRunner = () =>
  new FakeRunner()
    .on(
      'docker',
      ['info'],
      ok(
        JSON.stringify({
          ServerVersion: '28.2.2',
          CgroupVersion: '2',
          Architecture: 'x86_64',
          MemTotal: 16 * 1024 ** 3,
          NCPU: 8,
        }),
      ),
    )
    .on('kind', ['version'], ok('kind v0.33.0 go1.26.7 linux/amd64'))
    .on('kind', ['get', 'clusters'], ok('meshproof\n'));

async function run(extra: Partial<DoctorOptions> = {}) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'meshproof-doctor-'));
  return doctor({
    runner: healthyRunner(),
    cacheDir,
    hostPort: await freePort(),
    registryUrl,
    platform: 'linux',
    readText: async (p) => {
      if (p in procOk) return procOk[p]!;
      throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    },
    freeBytes: async () => 50 * 1024 ** 3,
    timeoutMs: 1000,
    ...extra,
  });
}

const byName = (checks: Awaited<ReturnType<typeof doctor>>, prefix: string) =>
  checks.find((c) => c.name.startsWith(prefix))!;

describe('doctor', () => {
  it('passes every required check on a healthy machine and names each finding', async () => {
    const checks = await run();
    expect(checks.map((c) => c.name)).toEqual([
      'Docker daemon',
      'kind',
      'cgroup v2',
      'inotify limits',
      expect.stringMatching(/^host port \d+$/),
      'disk space',
      'istioctl 1.31.1',
      'image registry (docker.io/istio)',
    ]);
    expect(doctorReady(checks)).toBe(true);
    expect(byName(checks, 'Docker').detail).toBe('Docker 28.2.2, 8 CPUs, 16.0 GB memory');
    expect(byName(checks, 'kind').detail).toBe('v0.33.0');
    expect(byName(checks, 'inotify').detail).toBe('max_user_watches=524288, max_user_instances=512');
    expect(byName(checks, 'image registry')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/answered 401$/),
    });
    // Not cached yet: reported, not required.
    expect(byName(checks, 'istioctl')).toMatchObject({ ok: false, required: false });
    for (const c of checks) expect(c.ok ? c.fix === '' : c.fix.length > 0).toBe(true);
  });

  it('fails the Docker check with the fix when the daemon is absent, still reporting the rest', async () => {
    const runner = healthyRunner();
    runner.rules.unshift({
      command: 'docker',
      args: ['info'],
      result: fail(
        1,
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      ),
    });
    const checks = await run({ runner });
    expect(doctorReady(checks)).toBe(false);
    expect(byName(checks, 'Docker')).toMatchObject({
      ok: false,
      required: true,
      detail: expect.stringMatching(/Cannot connect/),
      fix: expect.stringMatching(/--target local/),
    });
    // Falls back to the host's own cgroup files.
    expect(byName(checks, 'cgroup')).toMatchObject({ ok: true, detail: 'this host uses cgroup v2' });
  });

  it('reports missing kind, cgroup v1, low inotify limits, low disk and a taken port with their fixes', async () => {
    const runner = new FakeRunner()
      .on(
        'docker',
        ['info'],
        ok(
          JSON.stringify({
            ServerVersion: '24.0.7',
            CgroupVersion: '1',
            Architecture: 'x86_64',
            MemTotal: 4 * 1024 ** 3,
            NCPU: 2,
          }),
        ),
      )
      .on('kind', ['version'], fail(127, 'kind: command not found'))
      .on('kind', ['get', 'clusters'], ok('No kind clusters found.\n'));
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const checks = await run({
        runner,
        hostPort: port,
        readText: async (p) => (p.endsWith('max_user_watches') ? '8192' : '128'),
        freeBytes: async () => 2 * 1024 ** 3,
      });
      expect(byName(checks, 'kind')).toMatchObject({
        ok: false,
        fix: expect.stringContaining('sigs.k8s.io/kind@v0.33.0'),
      });
      // A warning with the settings that make it work, not a failure.
      expect(byName(checks, 'cgroup')).toMatchObject({
        ok: false,
        required: false,
        detail: 'Docker reports cgroup v1 (works)',
        fix: expect.stringContaining('failCgroupV1: false'),
      });
      expect(byName(checks, 'inotify')).toMatchObject({
        ok: false,
        required: false,
        fix:
          'sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 ' +
          '("too many open files" in pods otherwise)',
      });
      expect(byName(checks, 'disk')).toMatchObject({ ok: false, detail: '2.0 GB free' });
      expect(byName(checks, 'host port')).toMatchObject({
        ok: false,
        detail: `127.0.0.1:${port} is in use`,
        fix: 'free it, or pass --host-port N',
      });
      expect(byName(checks, 'Docker').detail).toMatch(/8 GB recommended/);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('accepts the port when the meshproof kind cluster holds it', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const checks = await run({ hostPort: (taken.address() as AddressInfo).port });
      expect(byName(checks, 'host port')).toMatchObject({
        ok: true,
        detail: 'in use by kind cluster "meshproof" (reused by up)',
      });
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('bounds the registry probe in time', async () => {
    // The registry never answers, so only the probe's own deadline can end the check: it must say so.
    const checks = await run({ registryUrl: hangUrl, timeoutMs: 300 });
    expect(byName(checks, 'image registry')).toMatchObject({
      ok: false,
      required: false,
      detail: expect.stringMatching(/not reachable \((UND_ERR_HEADERS_TIMEOUT|TimeoutError|ABORT_ERR)\)/),
    });
    expect(doctorReady(checks)).toBe(true);
  });

  it('finds a cached istioctl', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'meshproof-doctor-'));
    mkdirSync(join(cacheDir, 'istioctl', '1.31.1', 'linux-amd64'), { recursive: true });
    writeFileSync(join(cacheDir, 'istioctl', '1.31.1', 'linux-amd64', 'istioctl'), '#!/bin/sh\n', { mode: 0o755 });
    const checks = await run({ cacheDir });
    expect(byName(checks, 'istioctl').ok).toBe(process.arch === 'x64');
  });
});

describe('doctor with the local kind build (MESHPROOF_KIND_IMAGES=local)', () => {
  const build = (dir: string) => {
    const file = (name: string) => {
      writeFileSync(join(dir, name), '');
      return join(dir, name);
    };
    return {
      kubernetes: 'v1.36.3',
      kind: 'v0.33.0',
      nodeImage: 'meshproof.local/kind-node:v1.36.3-abc',
      kindBinary: '/built/kind',
      kubectl: '/built/kubectl',
      capfilter: '/built/runc-capfilter',
      istioHub: 'meshproof.local/istio',
      istioTag: '1.31-dev-abc',
      bookinfoHub: 'meshproof.local/istio',
      bookinfoTag: '1.31-dev-abc',
      istioctl: file('istioctl'),
      meshImages: file('mesh-images.tar'),
      gatewayApiDir: dir,
      keys: {},
      builtAt: '2026-12-07T00:00:00Z',
    };
  };

  it("checks the build's kind, istioctl, images (no download, no registry); its cluster holds the port", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshproof-doctor-local-'));
    const m = build(dir);
    writeFileSync(join(dir, 'kind'), '');
    m.kindBinary = join(dir, 'kind');
    const runner = new FakeRunner()
      .on('docker', ['info'], ok(JSON.stringify({ ServerVersion: '20.10.24', CgroupVersion: '1', NCPU: 2 })))
      .on(m.kindBinary, ['version'], ok('kind v0.33.0 go1.26.8 linux/amd64'))
      .on(m.kindBinary, ['get', 'clusters'], ok('meshproof-e2e\n'));
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const checks = await run({
        runner,
        localImages: m,
        clusterName: 'meshproof-e2e',
        hostPort: (taken.address() as AddressInfo).port,
      });
      expect(checks.map((c) => c.name)).not.toContain('image registry (meshproof.local/istio)');
      expect(checks.some((c) => c.name.startsWith('istioctl'))).toBe(false);
      expect(byName(checks, 'MESHPROOF_KIND_IMAGES=local')).toMatchObject({
        ok: true,
        detail: expect.stringContaining('meshproof.local/istio/*:1.31-dev-abc'),
      });
      expect(byName(checks, 'host port')).toMatchObject({ ok: true, detail: expect.stringContaining('meshproof-e2e') });
      expect(byName(checks, 'kind')).toMatchObject({ ok: true });
      expect(doctorReady(checks)).toBe(true);
      m.meshImages = join(dir, 'gone.tar');
      const missing = await run({ runner, localImages: m, clusterName: 'meshproof-e2e' });
      expect(byName(missing, 'MESHPROOF_KIND_IMAGES=local')).toMatchObject({
        ok: false,
        fix: expect.stringContaining('kind:build'),
      });
      expect(doctorReady(missing)).toBe(false);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
