import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../core/errors.js';
import { crdPinProblem, ensureGatewayApiCrds, gatewayApiCrdsUrl } from './gateway-api-crds.js';
import { PINNED } from './versions.js';

// A stand-in release on loopback, serving a small CRD file made for this test.
const CRDS = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: httproutes.gateway.networking.k8s.io\nspec: {}\n';
const DIGEST = createHash('sha256').update(CRDS).digest('hex');
let server: Server;
let base: string;
let served = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    served++;
    if (req.url === '/v1.6.0/standard-install.yaml') res.end(CRDS);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const versions = (sha: string) => ({ gatewayApi: 'v1.6.0', gatewayApiCrdsSha256: sha, gatewayApiDownloadBase: base });

describe('the Gateway API CRDs', () => {
  it('are pinned to the release Istio 1.31 is built against, from the release assets', () => {
    expect(PINNED.gatewayApi).toBe('v1.6.0');
    expect(gatewayApiCrdsUrl(PINNED)).toBe('https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.0/standard-install.yaml');
  });

  it('fail closed without a pinned sha256: nothing is downloaded', async () => {
    const before = served;
    expect(crdPinProblem(versions(''))).toMatch(/cannot be verified: no sha256 is pinned/);
    expect(crdPinProblem(versions('abc'))).toMatch(/"abc" is not a sha256/);
    await expect(ensureGatewayApiCrds({ versions: versions(''), cacheDir: mkdtempSync(join(tmpdir(), 'crds-')) })).rejects.toThrow(EnvironmentError);
    expect(served).toBe(before);
  });

  it('the shipped pin is still empty, so a kind cluster gets no CRDs until someone pins the published digest', () => {
    expect(crdPinProblem(PINNED)).toBeDefined();
  });

  it('discard a download whose digest differs from the pin', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'crds-'));
    await expect(ensureGatewayApiCrds({ versions: versions('0'.repeat(64)), cacheDir: cache })).rejects.toThrow(/checksum mismatch .* downloaded [0-9a-f]{64}; the file was discarded/);
    expect(existsSync(join(cache, 'gateway-api', 'v1.6.0', 'standard-install.yaml'))).toBe(false);
  });

  it('parse a verified download, cache it, and use the cache the next time', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'crds-'));
    const objects = await ensureGatewayApiCrds({ versions: versions(DIGEST), cacheDir: cache });
    expect(objects.map((o) => o.object.metadata.name)).toEqual(['httproutes.gateway.networking.k8s.io']);
    expect(readFileSync(join(cache, 'gateway-api', 'v1.6.0', 'standard-install.yaml'), 'utf8')).toBe(CRDS);
    const before = served;
    await ensureGatewayApiCrds({ versions: versions(DIGEST), cacheDir: cache });
    expect(served).toBe(before);
  });
});
