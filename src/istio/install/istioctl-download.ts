/**
 * Downloads istioctl for this platform into a cache folder, checked against the sha256 the release
 * publishes beside each archive, and extracts it with tar. Nothing is piped into a shell, and a
 * failed or mismatched download leaves nothing in the cache: the archive is fetched into a
 * temporary folder that is renamed into place only once the binary is verified and extracted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, chmod, constants, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Dispatcher } from 'undici';
import { EnvironmentError } from '../../core/errors.js';
import { checked, type CommandRunner, zxRunner } from '../../core/process.js';
import { downloadAgent, get } from './http-get.js';

export interface EnsureIstioctlOptions {
  version: string;
  /** Release base URL: `<base>/<version>/istioctl-<version>-<arch>.tar.gz`. */
  baseUrl: string;
  /** Cache root, e.g. `.cache/meshproof`; istioctl lands in `<cacheDir>/istioctl/<version>/<arch>/`. */
  cacheDir: string;
  platform?: NodeJS.Platform;
  arch?: string;
  runner?: CommandRunner;
  /** Per-request deadline for headers and between body chunks. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with a line when a download starts. */
  onProgress?: (message: string) => void;
}

/** Release asset architecture names (release-builder): linux-amd64, linux-arm64, linux-armv7, osx-amd64, osx-arm64. */
export function istioctlArch(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'linux' ? 'linux' : platform === 'darwin' ? 'osx' : undefined;
  const cpu =
    arch === 'x64'
      ? 'amd64'
      : arch === 'arm64'
        ? 'arm64'
        : arch === 'arm' && platform === 'linux'
          ? 'armv7'
          : undefined;
  if (!os || !cpu) {
    throw new EnvironmentError(`no istioctl release for ${platform}/${arch}`, {
      hint: 'install istioctl yourself and pass its path, or use --target local',
    });
  }
  return `${os}-${cpu}`;
}

export function istioctlUrls(version: string, arch: string, baseUrl: string): { archive: string; sha256: string } {
  const archive = `${baseUrl.replace(/\/+$/, '')}/${version}/istioctl-${version}-${arch}.tar.gz`;
  return { archive, sha256: `${archive}.sha256` };
}

export function istioctlCachePath(cacheDir: string, version: string, arch: string): string {
  return join(cacheDir, 'istioctl', version, arch, 'istioctl');
}

/** Returns the path of a verified istioctl, downloading it first when the cache has none. */
export async function ensureIstioctl(opts: EnsureIstioctlOptions): Promise<string> {
  const arch = istioctlArch(opts.platform, opts.arch);
  const binary = istioctlCachePath(opts.cacheDir, opts.version, arch);
  if (await isExecutable(binary)) return binary;
  const finalDir = join(binary, '..');
  const tmp = join(opts.cacheDir, 'istioctl', `.partial-${randomBytes(6).toString('hex')}`);
  const urls = istioctlUrls(opts.version, arch, opts.baseUrl);
  const dispatcher = downloadAgent(opts);
  try {
    await mkdir(tmp, { recursive: true });
    opts.onProgress?.(`downloading ${urls.archive}`);
    const expected = parseSha256File(await fetchText(urls.sha256, dispatcher, opts), urls.sha256);
    const archive = join(tmp, `istioctl-${opts.version}-${arch}.tar.gz`);
    const actual = await fetchToFile(urls.archive, archive, dispatcher, opts);
    if (actual !== expected) {
      throw new EnvironmentError(
        `checksum mismatch for ${urls.archive}: published sha256 ${expected}, downloaded ${actual}; ` +
          'the file was discarded',
        {
          hint: 'retry later; if it persists, the download is being altered on the way',
        },
      );
    }
    await checked(opts.runner ?? zxRunner, 'tar', ['-xzf', archive, '-C', tmp], { timeoutMs: 60_000 });
    const extracted = join(tmp, 'istioctl');
    if (!(await exists(extracted))) throw new EnvironmentError(`${urls.archive} holds no istioctl binary`);
    await chmod(extracted, 0o755);
    await rm(archive);
    await mkdir(join(finalDir, '..'), { recursive: true });
    await rm(finalDir, { recursive: true, force: true });
    await rename(tmp, finalDir);
    return binary;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (err instanceof EnvironmentError) throw err;
    throw new EnvironmentError(`failed to download istioctl ${opts.version} (${arch}): ${(err as Error).message}`, {
      cause: err,
      hint: `check network access to ${new URL(urls.archive).host}, or set MESHPROOF_ISTIO_DOWNLOAD_BASE to a mirror`,
    });
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/** The first token of a `.sha256` file (`<hex> <name>`): a 64-digit hex digest. */
export function parseSha256File(text: string, url: string): string {
  const token = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(token))
    throw new EnvironmentError(`${url} holds no sha256 digest (got "${text.slice(0, 80)}")`);
  return token;
}

async function fetchText(url: string, dispatcher: Dispatcher, opts: EnsureIstioctlOptions): Promise<string> {
  return (await get(url, dispatcher, opts)).text();
}

/** Streams the body to `file` and returns its sha256 (hex). */
async function fetchToFile(
  url: string,
  file: string,
  dispatcher: Dispatcher,
  opts: EnsureIstioctlOptions,
): Promise<string> {
  const body = await get(url, dispatcher, opts);
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(body, tap, createWriteStream(file));
  return hash.digest('hex');
}

async function isExecutable(p: string): Promise<boolean> {
  return access(p, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
