import { describe, expect, it } from 'vitest';
import { objectRef } from './manifest.js';

describe('objectRef', () => {
  it('names namespaced objects with their namespace and cluster-scoped ones without', () => {
    expect(objectRef({ kind: 'VirtualService', metadata: { name: 'reviews' } })).toBe('VirtualService reviews.default');
    expect(objectRef({ kind: 'Namespace', metadata: { name: 'x' } })).toBe('Namespace x');
    expect(objectRef({ kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-sidecar-injector' } })).toBe(
      'MutatingWebhookConfiguration istio-sidecar-injector',
    );
  });
});
