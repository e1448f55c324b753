import { describe, expect, it } from 'vitest';
import { hasSidecar, podState, podSummary } from './pods.js';
import type { KubeObject } from './manifest.js';

const pod = (spec: any, status: any = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'reviews-v1-abc-x', namespace: 'default', labels: { app: 'reviews' } },
  spec,
  status,
});

describe('sidecar check', () => {
  it('finds istio-proxy among containers (classic injection)', () => {
    expect(hasSidecar(pod({ containers: [{ name: 'reviews' }, { name: 'istio-proxy' }] }))).toBe(true);
  });
  it('finds istio-proxy as a native sidecar (initContainer with restartPolicy Always)', () => {
    expect(
      hasSidecar(
        pod({
          initContainers: [{ name: 'istio-init' }, { name: 'istio-proxy', restartPolicy: 'Always' }],
          containers: [{ name: 'reviews' }],
        }),
      ),
    ).toBe(true);
  });
  it('does not count an init container named istio-proxy that is not a sidecar, nor a pod without one', () => {
    expect(hasSidecar(pod({ initContainers: [{ name: 'istio-proxy' }], containers: [{ name: 'reviews' }] }))).toBe(
      false,
    );
    expect(hasSidecar(pod({ containers: [{ name: 'reviews' }] }))).toBe(false);
  });
});

describe('pod summary', () => {
  it('is ready only with the Ready condition true, and says why not', () => {
    const p = pod(
      { containers: [{ name: 'reviews' }] },
      {
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ name: 'reviews', restartCount: 2, state: { waiting: { reason: 'ImagePullBackOff' } } }],
      },
    );
    expect(podSummary(p)).toMatchObject({
      name: 'reviews-v1-abc-x',
      ready: false,
      sidecar: false,
      state: 'Pending (reviews: ImagePullBackOff), 2 restarts',
    });
    expect(podSummary(pod({}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })).ready).toBe(true);
    expect(podState(pod({}, { phase: 'Running' }))).toBe('Running');
  });
});
