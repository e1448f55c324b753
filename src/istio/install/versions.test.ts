import { describe, expect, it } from 'vitest';
import { PINNED, VERSION_ENV, bookinfoImage, istioImages, resolveVersions } from './versions.js';

describe('versions', () => {
  it('pins what makes a cluster reproducible: the node image by full digest, Istio from a registry that stays', () => {
    expect(PINNED.nodeImage).toMatch(/^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(PINNED.istioHub).not.toMatch(/gcr\.io|pkg\.dev/);
    for (const v of [PINNED.kind, PINNED.istio, PINNED.bookinfoTag]) expect(v).toMatch(/^v?\d+\.\d+\.\d+$/);
    for (const base of [PINNED.kindDownloadBase, PINNED.istioDownloadBase]) expect(base).toMatch(/^https:\/\//);
  });

  it('names the Bookinfo and Istio images from the versions it is given', () => {
    expect(bookinfoImage({ bookinfoHub: 'mirror:5000/istio', bookinfoTag: '9.9.9' }, 'reviews-v3')).toBe(
      'mirror:5000/istio/examples-bookinfo-reviews-v3:9.9.9',
    );
    expect(istioImages({ istioHub: 'mirror:5000/istio', istio: '1.99.0' })).toEqual([
      'mirror:5000/istio/pilot:1.99.0',
      'mirror:5000/istio/proxyv2:1.99.0',
    ]);
    expect(istioImages(resolveVersions({}, {}))).toEqual(istioImages(PINNED));
  });

  it('takes environment overrides, and options over those; blank values are ignored', () => {
    const env = {
      MESHPROOF_ISTIO_VERSION: '1.31.2',
      MESHPROOF_ISTIO_HUB: 'mirror:5000/istio',
      MESHPROOF_KIND_VERSION: ' ',
      MESHPROOF_NODE_IMAGE: 'kindest/node:v1.35.8@sha256:' + 'a'.repeat(64),
    };
    const v = resolveVersions({ istioHub: 'other/istio' }, env);
    expect(v.istio).toBe('1.31.2');
    expect(v.istioHub).toBe('other/istio');
    expect(v.kind).toBe(PINNED.kind);
    expect(v.nodeImage).toBe(env.MESHPROOF_NODE_IMAGE);
    expect(new Set(Object.values(VERSION_ENV)).size).toBe(Object.keys(PINNED).length);
    expect(Object.values(VERSION_ENV).every((n) => n.startsWith('MESHPROOF_'))).toBe(true);
  });
});
