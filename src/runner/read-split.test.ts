import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/manifest.js';
import { KubeApiError } from '../kube/api-error.js';
import type { ObjectKey } from '../targets/target.js';
import { SplitForbiddenError, readControllerSplit } from './read-split.js';

const versions = { stable: 'v1', canary: 'v3' };
const canary: KubeObject = {
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  metadata: { name: 'reviews', namespace: 'shop', uid: 'c-1', generation: 1 },
  spec: { service: { name: 'reviews' } },
};
const route: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'shop', uid: 'vs-1', generation: 7 },
  spec: {
    http: [
      {
        route: [
          { destination: { host: 'reviews-primary' }, weight: 50 },
          { destination: { host: 'reviews-canary' }, weight: 50 },
        ],
      },
    ],
  },
};

/** A cluster holding `objects`; `refuse` answers the kinds named with an API error of that status. */
function cluster(objects: KubeObject[], refuse: Record<string, number> = {}) {
  const read: string[] = [];
  return {
    read,
    async get(key: ObjectKey): Promise<KubeObject | null> {
      read.push(`${key.kind} ${key.namespace}/${key.name}`);
      const status = refuse[key.kind];
      if (status)
        throw new KubeApiError(`failed to read ${key.kind}`, { status, message: 'no', causes: [], fieldCauses: [] });
      return objects.find((o) => o.kind === key.kind && o.metadata.name === key.name) ?? null;
    },
  };
}

describe('readControllerSplit', () => {
  it("reads a Canary, then its VirtualService's weights, keyed by the route's uid and generation", async () => {
    const c = cluster([canary, route]);
    const r = await readControllerSplit(c, { kind: 'canary', namespace: 'shop', name: 'reviews', versions });
    expect(r).toEqual({
      split: { v1: 50, v3: 50 },
      from: 'VirtualService shop/reviews spec.http[0]',
      revision: 'vs-1@7',
    });
    expect(c.read).toEqual(['Canary shop/reviews', 'VirtualService shop/reviews']);
  });

  it('says 404 for an object that is not there, and 403 for one it may not read', async () => {
    const missing = readControllerSplit(cluster([]), { kind: 'rollout', namespace: 'shop', name: 'reviews', versions });
    await expect(missing).rejects.toMatchObject({
      status: 404,
      exitCode: 2,
      message: 'Rollout shop/reviews: not found',
    });
    const forbidden = readControllerSplit(cluster([canary], { VirtualService: 403 }), {
      kind: 'canary',
      namespace: 'shop',
      name: 'reviews',
      versions,
    });
    await expect(forbidden).rejects.toBeInstanceOf(SplitForbiddenError);
    await expect(forbidden).rejects.toMatchObject({
      status: 403,
      exitCode: 3,
      message: 'may not read VirtualService shop/reviews: the API server answered 403 Forbidden',
    });
  });

  it('says 422 for an object that holds no split it can check', async () => {
    const blueGreen: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'reviews', namespace: 'shop' },
      spec: { strategy: { blueGreen: {} } },
    };
    const r = readControllerSplit(cluster([blueGreen]), {
      kind: 'rollout',
      namespace: 'shop',
      name: 'reviews',
      versions,
    });
    await expect(r).rejects.toMatchObject({ status: 422, exitCode: 2 });
  });
});
