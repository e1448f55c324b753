import { describe, expect, it } from 'vitest';
import { PINNED, VERSION_ENV, bookinfoImage, istioImages, resolveVersions } from './versions.js';

describe('versions', () => {
  it('pins kind v0.33.0, the 1.36.4 node image by full digest, Istio 1.31.1 from Docker Hub and Bookinfo 1.20.3', () => {
    expect(PINNED.kind).toBe('v0.33.0');
    expect(PINNED.nodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64}$/);
    expect(PINNED.nodeImage).toContain('099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed');
    expect(PINNED.istio).toBe('1.31.1');
    expect(PINNED.istioHub).toBe('docker.io/istio');
    expect(bookinfoImage(PINNED, 'reviews-v3')).toBe('docker.io/istio/examples-bookinfo-reviews-v3:1.20.3');
    expect(istioImages(PINNED)).toEqual(['docker.io/istio/pilot:1.31.1', 'docker.io/istio/proxyv2:1.31.1']);
  });

  it('takes environment overrides, and options over those; blank values are ignored', () => {
    const env = { MESHPROOF_ISTIO_VERSION: '1.31.2', MESHPROOF_ISTIO_HUB: 'mirror:5000/istio', MESHPROOF_KIND_VERSION: ' ', MESHPROOF_NODE_IMAGE: 'kindest/node:v1.35.8@sha256:' + 'a'.repeat(64) };
    const v = resolveVersions({ istioHub: 'other/istio' }, env);
    expect(v.istio).toBe('1.31.2');
    expect(v.istioHub).toBe('other/istio');
    expect(v.kind).toBe('v0.33.0');
    expect(v.nodeImage).toBe(env.MESHPROOF_NODE_IMAGE);
    expect(new Set(Object.values(VERSION_ENV)).size).toBe(Object.keys(PINNED).length);
    expect(Object.values(VERSION_ENV).every((n) => n.startsWith('MESHPROOF_'))).toBe(true);
  });
});
