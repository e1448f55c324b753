import { describe, expect, it } from 'vitest';
import { CONTROL_PLANE, PINNED } from '../istio/install/versions.js';
import { nodeImageTag, versionLines } from './version-lines.js';

describe('versionLines', () => {
  it('names the pinned Istio, Kubernetes, kind and Gateway API versions and where each is used', () => {
    expect(versionLines({})).toEqual([
      `istio ${PINNED.istio} (kind, existing); ${CONTROL_PLANE.istio} built from source (kwok)`,
      `kubernetes ${nodeImageTag(PINNED.nodeImage)} (kind node image); ${CONTROL_PLANE.kubernetes} (kwok)`,
      `kind ${PINNED.kind}`,
      `gateway-api ${PINNED.gatewayApi}`,
    ]);
  });

  it('shows an overridden version with the variable that set it', () => {
    const lines = versionLines({ MESHPROOF_ISTIO_VERSION: '1.30.2', MESHPROOF_NODE_IMAGE: 'kindest/node:v1.35.0' });
    expect(lines[0]).toMatch(/^istio 1\.30\.2 \(kind, existing, from MESHPROOF_ISTIO_VERSION\);/);
    expect(lines[1]).toMatch(/^kubernetes v1\.35\.0 \(kind node image, from MESHPROOF_NODE_IMAGE\);/);
  });
});

describe('nodeImageTag', () => {
  it('reads the tag of an image pinned by digest, by tag, or from a registry with a port', () => {
    expect(nodeImageTag('kindest/node:v1.36.4@sha256:' + 'a'.repeat(64))).toBe('v1.36.4');
    expect(nodeImageTag('kindest/node:v1.35.0')).toBe('v1.35.0');
    expect(nodeImageTag('localhost:5000/node:v1.34.1')).toBe('v1.34.1');
    expect(nodeImageTag('kindest/node@sha256:' + 'b'.repeat(64))).toBe('kindest/node@sha256:' + 'b'.repeat(64));
  });
});
