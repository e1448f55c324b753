import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../core/errors.js';
import { crdPinProblem, ensureGatewayApiCrds, gatewayApiFileUrl } from './gateway-api-crds.js';
import { GATEWAY_API_STANDARD_FILES } from './gateway-api-pins.js';
import { PINNED } from './versions.js';

// A stand-in release on loopback, serving two small CRD files made for this test.
const FILES: Record<string, string> = {
  'a.yaml':
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n' +
    '  name: gateways.gateway.networking.k8s.io\nspec: {}\n',
  'b.yaml':
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n' +
    '  name: httproutes.gateway.networking.k8s.io\nspec: {}\n',
};
const digest = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const PINS = { 'v1.6.0': Object.entries(FILES).map(([file, body]) => ({ file, sha256: digest(body) })) };
let server: Server;
let base: string;
let served = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    served++;
    const m = /^\/v1\.6\.0\/config\/crd\/standard\/([a-z.]+)$/.exec(req.url ?? '');
    if (m && FILES[m[1]!]) res.end(FILES[m[1]!]);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const versions = (gatewayApi = 'v1.6.0') => ({ gatewayApi, gatewayApiDownloadBase: base });

describe('the Gateway API CRDs', () => {
  it('are pinned, file by file, for the release Istio 1.31 is built against', () => {
    expect(PINNED.gatewayApi).toBe('v1.6.0');
    expect(crdPinProblem(PINNED)).toBeUndefined();
    expect(gatewayApiFileUrl(PINNED, 'gateway.networking.k8s.io_httproutes.yaml')).toBe(
      'https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/v1.6.0/config/crd/standard/' +
        'gateway.networking.k8s.io_httproutes.yaml',
    );
    expect(GATEWAY_API_STANDARD_FILES['v1.6.0']!.map((p) => p.file)).toContain(
      'gateway.networking.k8s.io_httproutes.yaml',
    );
  });

  it('fail closed for a release without pins: nothing is downloaded', async () => {
    const before = served;
    expect(crdPinProblem(versions('v9.9.9'), PINS)).toMatch(
      /v9\.9\.9 CRDs cannot be verified: no sha256 is pinned for that release \(pinned: v1\.6\.0\)/,
    );
    await expect(
      ensureGatewayApiCrds({
        versions: versions('v9.9.9'),
        pins: PINS,
        cacheDir: mkdtempSync(join(tmpdir(), 'crds-')),
      }),
    ).rejects.toThrow(EnvironmentError);
    expect(served).toBe(before);
  });

  it('discard a download whose digest differs from the pin', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'crds-'));
    const wrong = { 'v1.6.0': [{ file: 'a.yaml', sha256: '0'.repeat(64) }] };
    await expect(ensureGatewayApiCrds({ versions: versions(), pins: wrong, cacheDir: cache })).rejects.toThrow(
      /checksum mismatch for .*a\.yaml: .* downloaded [0-9a-f]{64}; the file was discarded/,
    );
    expect(existsSync(join(cache, 'gateway-api', 'v1.6.0', 'a.yaml'))).toBe(false);
  });

  it('parse verified downloads in the pinned order, cache them, and use the cache the next time', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'crds-'));
    const objects = await ensureGatewayApiCrds({ versions: versions(), pins: PINS, cacheDir: cache });
    expect(objects.map((o) => o.object.metadata.name)).toEqual([
      'gateways.gateway.networking.k8s.io',
      'httproutes.gateway.networking.k8s.io',
    ]);
    expect(readFileSync(join(cache, 'gateway-api', 'v1.6.0', 'b.yaml'), 'utf8')).toBe(FILES['b.yaml']);
    const before = served;
    await ensureGatewayApiCrds({ versions: versions(), pins: PINS, cacheDir: cache });
    expect(served).toBe(before);
  });

  // The shipped pins against the release's Go module, where Go has it (the module cache is read, nothing fetched).
  const moduleDir = join(
    process.env.GOMODCACHE ?? join(homedir(), 'go', 'pkg', 'mod'),
    'sigs.k8s.io',
    'gateway-api@v1.6.0',
    'config',
    'crd',
    'standard',
  );
  it.skipIf(!existsSync(moduleDir))(
    'match the files of the Go module sigs.k8s.io/gateway-api@v1.6.0 (skipped: module not in the Go module cache)',
    () => {
      for (const pin of GATEWAY_API_STANDARD_FILES['v1.6.0']!)
        expect(digest(readFileSync(join(moduleDir, pin.file))), pin.file).toBe(pin.sha256);
    },
  );
});
