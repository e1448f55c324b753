import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureIstioctl, istioctlArch, istioctlUrls } from './istioctl-download.js';
import { EnvironmentError } from '../../core/errors.js';

let server: Server;
let base: string;
let archive: Buffer;
let published: string;
const hits: string[] = [];
let cache: string;

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'istioctl-src-'));
  writeFileSync(join(work, 'istioctl'), '#!/bin/sh\necho "1.31.1"\n', { mode: 0o755 });
  execFileSync('tar', ['-czf', join(work, 'a.tar.gz'), '-C', work, 'istioctl']);
  archive = readFileSync(join(work, 'a.tar.gz'));
  rmSync(work, { recursive: true });
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const url = req.url ?? '';
    // Release downloads redirect to a storage host; follow one hop like the real thing.
    if (url === '/dl/1.31.1/istioctl-1.31.1-linux-amd64.tar.gz')
      return void res.writeHead(302, { location: '/storage/archive' }).end();
    if (url === '/storage/archive') return void res.writeHead(200).end(archive);
    if (url === '/dl/1.31.1/istioctl-1.31.1-linux-amd64.tar.gz.sha256')
      return void res.writeHead(200).end(`${published} istioctl-1.31.1-linux-amd64.tar.gz\n`);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dl`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  hits.length = 0;
  cache = mkdtempSync(join(tmpdir(), 'meshproof-cache-'));
  published = createHash('sha256').update(archive).digest('hex');
});

const opts = () => ({ version: '1.31.1', baseUrl: base, cacheDir: cache, platform: 'linux' as const, arch: 'x64' });

describe('istioctl download', () => {
  it('names release assets per platform', () => {
    expect(istioctlArch('linux', 'x64')).toBe('linux-amd64');
    expect(istioctlArch('linux', 'arm64')).toBe('linux-arm64');
    expect(istioctlArch('darwin', 'arm64')).toBe('osx-arm64');
    expect(istioctlArch('darwin', 'x64')).toBe('osx-amd64');
    expect(() => istioctlArch('win32', 'x64')).toThrow(EnvironmentError);
    expect(istioctlUrls('1.31.1', 'linux-amd64', 'https://github.com/istio/istio/releases/download/')).toEqual({
      archive: 'https://github.com/istio/istio/releases/download/1.31.1/istioctl-1.31.1-linux-amd64.tar.gz',
      sha256: 'https://github.com/istio/istio/releases/download/1.31.1/istioctl-1.31.1-linux-amd64.tar.gz.sha256',
    });
  });

  it('installs a verified archive into the cache and reuses it without downloading again', async () => {
    const bin = await ensureIstioctl(opts());
    expect(bin).toBe(join(cache, 'istioctl', '1.31.1', 'linux-amd64', 'istioctl'));
    expect(execFileSync(bin).toString().trim()).toBe('1.31.1');
    expect(readdirSync(join(cache, 'istioctl', '1.31.1', 'linux-amd64'))).toEqual(['istioctl']);
    expect(hits).toContain('/storage/archive');
    hits.length = 0;
    expect(await ensureIstioctl(opts())).toBe(bin);
    expect(hits).toEqual([]);
  });

  it('refuses an archive whose sha256 differs from the published one and leaves nothing in the cache', async () => {
    published = 'ab'.repeat(32);
    const err = await ensureIstioctl(opts()).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(
      new RegExp(
        /^checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/dl\/1\.31\.1\/istioctl-1\.31\.1-linux-amd64\.tar/.source +
          /\.gz: published sha256 (ab){32}, downloaded [0-9a-f]{64}/.source,
      ),
    );
    expect(readdirSync(join(cache, 'istioctl'))).toEqual([]);
  });

  it('fails with context when the release is missing, leaving nothing behind', async () => {
    const err = await ensureIstioctl({ ...opts(), version: '9.9.9' }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/9\.9\.9.*answered 404/);
    expect(existsSync(join(cache, 'istioctl')) ? readdirSync(join(cache, 'istioctl')) : []).toEqual([]);
  });

  it('replaces a cached file that is not executable', async () => {
    const dir = join(cache, 'istioctl', '1.31.1', 'linux-amd64');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'istioctl'), 'garbage', { mode: 0o644 });
    const bin = await ensureIstioctl(opts());
    expect(execFileSync(bin).toString().trim()).toBe('1.31.1');
  });
});
