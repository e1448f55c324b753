/**
 * The Gateway API's standard-channel CRDs for a cluster: each file of the release's
 * `config/crd/standard/` downloaded into the cache and checked against its pinned sha256
 * (gateway-api-pins.ts) before anything is applied. The check fails closed: a release without pins
 * downloads nothing, and a file whose digest differs is discarded. Nothing is piped anywhere; the objects are parsed
 * and applied like any manifest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Dispatcher } from 'undici';
import { EnvironmentError } from '../../core/errors.js';
import { parseManifests, type LoadedObject } from '../../kube/manifest.js';
import type { Versions } from './versions.js';
import { GATEWAY_API_STANDARD_FILES, type PinnedFile } from './gateway-api-pins.js';
import { downloadAgent, get } from './http-get.js';

export type CrdVersions = Pick<Versions, 'gatewayApi' | 'gatewayApiDownloadBase'>;

/** Where one file of the standard channel is fetched from: `<base>/<version>/config/crd/standard/<file>`. */
export function gatewayApiFileUrl(v: CrdVersions, file: string): string {
  return `${v.gatewayApiDownloadBase.replace(/\/+$/, '')}/${v.gatewayApi}/config/crd/standard/${file}`;
}

/** Why the CRDs cannot be installed as pinned, or undefined when they can. */
export function crdPinProblem(
  v: CrdVersions,
  pins: Readonly<Record<string, readonly PinnedFile[]>> = GATEWAY_API_STANDARD_FILES,
): string | undefined {
  if (pins[v.gatewayApi]?.length) return undefined;
  return (
    `the Gateway API ${v.gatewayApi} CRDs cannot be verified: no sha256 is pinned for that release (pinned: ` +
    `${Object.keys(pins).join(', ') || 'none'})`
  );
}

export const CRD_PIN_HINT =
  'use a pinned release (unset MESHPROOF_GATEWAY_API_VERSION), ' +
  'or add its files to src/istio/install/gateway-api-pins.ts with ' +
  '`npx tsx scripts/gateway-api-pins.ts VERSION`';

export interface EnsureCrdsOptions {
  versions: CrdVersions;
  cacheDir: string;
  /** The pinned files by release; the shipped table unless a test gives its own. */
  pins?: Readonly<Record<string, readonly PinnedFile[]>>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** The verified CRD objects of the standard channel, from the cache or downloaded into it, file by file. */
export async function ensureGatewayApiCrds(opts: EnsureCrdsOptions): Promise<LoadedObject[]> {
  const { versions: v } = opts;
  const pins = opts.pins ?? GATEWAY_API_STANDARD_FILES;
  const problem = crdPinProblem(v, pins);
  if (problem) throw new EnvironmentError(problem, { hint: CRD_PIN_HINT });
  const objects: LoadedObject[] = [];
  const dispatcher = downloadAgent(opts);
  try {
    for (const pin of pins[v.gatewayApi]!) {
      const file = join(opts.cacheDir, 'gateway-api', v.gatewayApi, pin.file);
      const body = await verifiedFile(file, pin, gatewayApiFileUrl(v, pin.file), dispatcher, opts);
      objects.push(...parseManifests(body.toString('utf8'), file));
    }
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
  return objects;
}

/** The cached copy when its digest is the pin; else a download, kept only when its digest is the pin. */
async function verifiedFile(
  file: string,
  pin: PinnedFile,
  url: string,
  dispatcher: Dispatcher,
  opts: EnsureCrdsOptions,
): Promise<Buffer> {
  const cached = await readFile(file).catch(() => undefined);
  if (cached && sha256(cached) === pin.sha256) return cached;
  opts.onProgress?.(`downloading ${url}`);
  const body = await download(url, dispatcher, opts);
  const actual = sha256(body);
  if (actual !== pin.sha256) {
    throw new EnvironmentError(
      `checksum mismatch for ${url}: pinned sha256 ${pin.sha256}, downloaded ${actual}; the file was discarded`,
      {
        hint:
          "the pins come from the release's Go module (src/istio/install/gateway-api-pins.ts): " +
          'a different file means the download is being altered on the way, or a mirror serves another release',
      },
    );
  }
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.partial-${randomBytes(6).toString('hex')}`;
  await writeFile(tmp, body);
  await rename(tmp, file);
  return body;
}

async function download(url: string, dispatcher: Dispatcher, opts: EnsureCrdsOptions): Promise<Buffer> {
  try {
    return Buffer.from(await (await get(url, dispatcher, opts)).arrayBuffer());
  } catch (err) {
    throw new EnvironmentError(`failed to download the Gateway API CRDs from ${url}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check network access, or set MESHPROOF_GATEWAY_API_DOWNLOAD_BASE to a mirror',
    });
  }
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
