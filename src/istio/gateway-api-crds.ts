/**
 * The Gateway API's standard-channel CRDs for a cluster: the release's `standard-install.yaml`
 * downloaded into the cache and checked against a pinned sha256 before anything is applied. The
 * check fails closed: without a pinned digest nothing is downloaded, and a file whose digest
 * differs is discarded. Nothing is piped anywhere; the objects are parsed and applied like any
 * manifest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, interceptors, request } from 'undici';
import { EnvironmentError } from '../core/errors.js';
import { parseManifests, type LoadedObject } from '../kube/manifest.js';
import type { Versions } from './versions.js';

export type CrdVersions = Pick<Versions, 'gatewayApi' | 'gatewayApiCrdsSha256' | 'gatewayApiDownloadBase'>;

export function gatewayApiCrdsUrl(v: CrdVersions): string {
  return `${v.gatewayApiDownloadBase.replace(/\/+$/, '')}/${v.gatewayApi}/standard-install.yaml`;
}

/** Why the CRDs cannot be installed as pinned, or undefined when they can. */
export function crdPinProblem(v: CrdVersions): string | undefined {
  if (/^[0-9a-f]{64}$/.test(v.gatewayApiCrdsSha256)) return undefined;
  const what = v.gatewayApiCrdsSha256 ? `"${v.gatewayApiCrdsSha256}" is not a sha256 (64 lowercase hex digits)` : 'no sha256 is pinned';
  return `the Gateway API CRDs (${gatewayApiCrdsUrl(v)}) cannot be verified: ${what}`;
}

export const CRD_PIN_HINT =
  "pin the sha256 published with the release's standard-install.yaml in src/istio/versions.ts (gatewayApiCrdsSha256), or set MESHPROOF_GATEWAY_API_CRDS_SHA256";

export interface EnsureCrdsOptions {
  versions: CrdVersions;
  cacheDir: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** The verified CRD objects, from the cache or downloaded into it. */
export async function ensureGatewayApiCrds(opts: EnsureCrdsOptions): Promise<LoadedObject[]> {
  const { versions: v } = opts;
  const problem = crdPinProblem(v);
  if (problem) throw new EnvironmentError(problem, { hint: CRD_PIN_HINT });
  const file = join(opts.cacheDir, 'gateway-api', v.gatewayApi, 'standard-install.yaml');
  const cached = await readFile(file).catch(() => undefined);
  if (cached && sha256(cached) === v.gatewayApiCrdsSha256) return parseManifests(cached.toString('utf8'), file);
  const url = gatewayApiCrdsUrl(v);
  opts.onProgress?.(`downloading ${url}`);
  const body = await download(url, opts);
  const actual = sha256(body);
  if (actual !== v.gatewayApiCrdsSha256) {
    throw new EnvironmentError(`checksum mismatch for ${url}: pinned sha256 ${v.gatewayApiCrdsSha256}, downloaded ${actual}; the file was discarded`, {
      hint: 'if the pin is right, the download is being altered on the way; otherwise correct the pin from the release page',
    });
  }
  await mkdir(join(file, '..'), { recursive: true });
  const tmp = `${file}.partial-${randomBytes(6).toString('hex')}`;
  await writeFile(tmp, body);
  await rename(tmp, file);
  return parseManifests(body.toString('utf8'), file);
}

async function download(url: string, opts: EnsureCrdsOptions): Promise<Buffer> {
  const dispatcher = new Agent({ connectTimeout: opts.timeoutMs ?? 30_000 }).compose(interceptors.redirect({ maxRedirections: 5 }));
  try {
    const res = await request(url, { dispatcher, headersTimeout: opts.timeoutMs ?? 30_000, bodyTimeout: opts.timeoutMs ?? 30_000, ...(opts.signal ? { signal: opts.signal } : {}) });
    const body = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    return body;
  } catch (err) {
    throw new EnvironmentError(`failed to download the Gateway API CRDs from ${url}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check network access, or set MESHPROOF_GATEWAY_API_DOWNLOAD_BASE to a mirror',
    });
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

