import { describe, expect, it } from 'vitest';
import { isClusterScoped, objectRef } from './manifest.js';

describe('objectRef', () => {
  it('names namespaced objects with their namespace and cluster-scoped ones without', () => {
    expect(objectRef({ kind: 'VirtualService', metadata: { name: 'reviews' } })).toBe('VirtualService reviews.default');
    expect(objectRef({ kind: 'Namespace', metadata: { name: 'x' } })).toBe('Namespace x');
    expect(objectRef({ kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-sidecar-injector' } })).toBe(
      'MutatingWebhookConfiguration istio-sidecar-injector',
    );
  });
});

describe('isClusterScoped', () => {
  it('knows the listed kinds and those named Cluster…, and takes everything else for namespaced', () => {
    for (const kind of ['Namespace', 'GatewayClass', 'ClusterRole', 'ClusterIssuer', 'CustomResourceDefinition'])
      expect(isClusterScoped(kind), kind).toBe(true);
    for (const kind of ['VirtualService', 'Gateway', 'ConfigMap', 'Clusterish', 'ServiceEntry'])
      expect(isClusterScoped(kind), kind).toBe(false);
  });
});
