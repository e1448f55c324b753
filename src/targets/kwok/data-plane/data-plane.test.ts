import { describe, expect, it } from 'vitest';
import { podStreamName } from './data-plane.js';

const pod = (metadata: Record<string, unknown>) =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', ...metadata } }) as Parameters<typeof podStreamName>[0];

describe('podStreamName', () => {
  it('drops the ReplicaSet hash and the random suffix, so a seed reproduces the streams on a new cluster', () => {
    const a = pod({
      name: 'reviews-v1-7747d95d85-tl7hw',
      namespace: 'default',
      generateName: 'reviews-v1-7747d95d85-',
      labels: { 'pod-template-hash': '7747d95d85' },
    });
    const b = pod({
      name: 'reviews-v1-5c9f8d7b6-q2x8k',
      namespace: 'default',
      generateName: 'reviews-v1-5c9f8d7b6-',
      labels: { 'pod-template-hash': '5c9f8d7b6' },
    });
    expect(podStreamName(a)).toBe('default/reviews-v1');
    expect(podStreamName(b)).toBe(podStreamName(a));
  });

  it('keeps apart pods of other workloads and namespaces, and a pod with no generated name keeps its own', () => {
    expect(
      podStreamName(
        pod({
          namespace: 'istio-system',
          generateName: 'istio-ingressgateway-6d8f7c9b5-',
          labels: { 'pod-template-hash': '6d8f7c9b5' },
        }),
      ),
    ).toBe('istio-system/istio-ingressgateway');
    expect(
      podStreamName(
        pod({
          namespace: 'other',
          generateName: 'reviews-v1-7747d95d85-',
          labels: { 'pod-template-hash': '7747d95d85' },
        }),
      ),
    ).toBe('other/reviews-v1');
    expect(podStreamName(pod({ name: 'static-pod', namespace: 'default' }))).toBe('default/static-pod');
    expect(podStreamName(pod({ namespace: 'default', generateName: 'job-' }))).toBe('default/job');
  });
});
