import { describe, expect, it } from 'vitest';
import type { ClusterDef } from './clusters.js';
import { diffClusters } from './istiod-cluster-diff.js';

const REVIEWS = 'reviews.default.svc.cluster.local';
const pod = (name: string) => ({ pod: name, namespace: 'default', labels: {}, address: '10.244.0.9:9080' });
const clusters = (...defs: ClusterDef[]) => new Map(defs.map((d) => [d.name, d]));

describe('the local clusters held to istiod’s', () => {
  it('compares which subset clusters exist, their pods by name, and the policies, for the given hosts only', () => {
    const ours = clusters(
      { name: `outbound|9080||${REVIEWS}`, endpoints: [pod('reviews-v2'), pod('reviews-v1')] },
      { name: `outbound|9080|v1|${REVIEWS}`, endpoints: [pod('reviews-v1')], lb: 'RANDOM' },
      { name: `outbound|9080|canary|${REVIEWS}`, endpoints: [] },
    );
    const theirs = clusters(
      {
        name: `outbound|9080||${REVIEWS}`,
        endpoints: [{ ...pod('reviews-v1'), address: '127.0.0.1:4000' }, pod('reviews-v2')],
      },
      { name: `outbound|9080|v1|${REVIEWS}`, endpoints: [pod('reviews-v1')] },
      { name: 'outbound|15010||istiod.istio-system.svc.cluster.local', endpoints: [] },
      { name: 'PassthroughCluster', endpoints: [] },
    );
    expect(diffClusters(ours, theirs, new Set([REVIEWS]))).toEqual([
      { where: `cluster outbound|9080|canary|${REVIEWS}`, path: '', local: 'present', istiod: '<absent>' },
      { where: `cluster outbound|9080|v1|${REVIEWS}`, path: 'lb', local: 'RANDOM', istiod: 'LEAST_REQUEST' },
    ]);
  });
});
