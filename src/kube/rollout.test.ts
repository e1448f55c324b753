import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeClient } from './client.js';
import { kubeConfigFor } from './kubeconfig.js';
import type { KubeObject } from './manifest.js';
import { deploymentRolloutState, waitForRollout } from './rollout.js';
import { FakeApiServer, type WatchCall } from './testing/fake-api-server.js';
import { EnvironmentError } from '../core/errors.js';
import type { KubeConfig } from '@kubernetes/client-node';

const dep = (generation: number, spec: { replicas?: number }, status: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'reviews-v1', namespace: 'default', generation },
  spec,
  status,
});

describe('the rollout rules of kubectl rollout status', () => {
  it('waits for the spec update to be observed', () => {
    const s = deploymentRolloutState(
      dep(2, { replicas: 1 }, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
    );
    expect(s).toMatchObject({ done: false, failed: false });
    expect(s.message).toMatch(/spec update to be observed/);
  });
  it('fails on ProgressDeadlineExceeded', () => {
    const s = deploymentRolloutState(
      dep(
        1,
        { replicas: 1 },
        {
          observedGeneration: 1,
          conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
        },
      ),
    );
    expect(s).toMatchObject({ done: false, failed: true });
    expect(s.message).toMatch(/exceeded its progress deadline/);
  });
  it('waits for new replicas to be updated (missing fields count as 0)', () => {
    expect(deploymentRolloutState(dep(1, { replicas: 2 }, { observedGeneration: 1 })).message).toBe(
      '0 out of 2 new replicas have been updated',
    );
  });
  it('waits for old replicas to terminate', () => {
    expect(
      deploymentRolloutState(
        dep(1, { replicas: 2 }, { observedGeneration: 1, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }),
      ).message,
    ).toBe('1 old replicas are pending termination');
  });
  it('waits for updated replicas to be available', () => {
    expect(
      deploymentRolloutState(
        dep(1, { replicas: 2 }, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }),
      ).message,
    ).toBe('1 of 2 updated replicas are available');
  });
  it('is done when all hold', () => {
    expect(
      deploymentRolloutState(
        dep(3, { replicas: 2 }, { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      ).done,
    ).toBe(true);
  });
});

describe('waitForRollout through the API', () => {
  let server: FakeApiServer;
  let kc: KubeConfig;
  let client: KubeClient;
  const watches: WatchCall[] = [];
  beforeEach(async () => {
    server = new FakeApiServer();
    kc = kubeConfigFor(await server.start());
    client = new KubeClient(kc);
    watches.length = 0;
  });
  afterEach(() => server.stop());

  const progressing = dep(
    2,
    { replicas: 2 },
    { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 1 },
  ) as KubeObject & { status: Record<string, unknown> };
  const rolledOut = (rv: string) => ({
    ...dep(2, { replicas: 2 }, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
    metadata: { name: 'reviews-v1', namespace: 'default', generation: 2, resourceVersion: rv },
  });

  it('follows a sequence of states on one watch until rolled out', async () => {
    server.put(progressing);
    const seen: string[] = [];
    server.onWatch = (w) => {
      watches.push(w);
      w.send('MODIFIED', {
        ...progressing,
        status: { ...progressing.status, replicas: 2 },
        metadata: { ...progressing.metadata, resourceVersion: '201' },
      });
      setTimeout(() => w.send('MODIFIED', rolledOut('202')), 20);
    };
    await waitForRollout(client, kc, 'default', 'reviews-v1', {
      timeoutMs: 3000,
      onState: (s) => seen.push(s.message),
    });
    expect(seen).toEqual([
      '1 old replicas are pending termination',
      '1 of 2 updated replicas are available',
      'deployment "reviews-v1" successfully rolled out',
    ]);
    expect(watches).toHaveLength(1);
    expect(watches[0]!.query.get('resourceVersion')).toBe('101');
    expect(watches[0]!.query.get('fieldSelector')).toBe('metadata.name=reviews-v1');
  });

  it('resumes from the last resourceVersion when the server ends the watch', async () => {
    server.put(progressing);
    server.onWatch = (w) => {
      watches.push(w);
      if (watches.length === 1) {
        w.send('MODIFIED', { ...progressing, metadata: { ...progressing.metadata, resourceVersion: '300' } });
        w.send('BOOKMARK', { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: '305' } });
        setTimeout(() => w.end(), 10);
      } else w.send('MODIFIED', rolledOut('306'));
    };
    await waitForRollout(client, kc, 'default', 'reviews-v1', { timeoutMs: 3000, retryIntervalMs: 10 });
    expect(watches.map((w) => w.query.get('resourceVersion'))).toEqual(['101', '305']);
    // No re-list: the first list was the only one.
    expect(
      server.requests.filter((r) => r.path.endsWith('/deployments') && r.query.get('watch') !== 'true'),
    ).toHaveLength(1);
  });

  it('re-lists when the watch answers 410 Gone', async () => {
    server.put(progressing);
    server.onWatch = (w) => {
      watches.push(w);
      if (watches.length === 1) {
        w.send('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
          message: 'too old resource version: 101 (250)',
        });
        // Meanwhile the Deployment rolled out; the re-list sees it.
        server.put(rolledOut('0'));
        w.end();
      }
    };
    await waitForRollout(client, kc, 'default', 'reviews-v1', { timeoutMs: 3000, retryIntervalMs: 10 });
    expect(watches).toHaveLength(1);
    expect(
      server.requests.filter((r) => r.path.endsWith('/deployments') && r.query.get('watch') !== 'true'),
    ).toHaveLength(2);
  });

  it('re-lists when the watch request itself is answered 410', async () => {
    server.put(progressing);
    let first = true;
    server.intercept = (r) => {
      if (r.query.get('watch') === 'true' && first) {
        first = false;
        server.put(rolledOut('0'));
        return { status: 410, body: { kind: 'Status', apiVersion: 'v1', code: 410, reason: 'Gone', message: 'gone' } };
      }
      return undefined;
    };
    await waitForRollout(client, kc, 'default', 'reviews-v1', { timeoutMs: 3000, retryIntervalMs: 10 });
    expect(
      server.requests.filter((r) => r.path.endsWith('/deployments') && r.query.get('watch') !== 'true'),
    ).toHaveLength(2);
  });

  it('fails at once on a progress deadline', async () => {
    server.put(
      dep(
        1,
        { replicas: 1 },
        { observedGeneration: 1, conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] },
      ),
    );
    const err = await waitForRollout(client, kc, 'default', 'reviews-v1', { timeoutMs: 3000 }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe(
      'Deployment reviews-v1.default failed to roll out: deployment "reviews-v1" exceeded its progress deadline',
    );
  });

  it('times out with the deadline, the interval and the last observed state', async () => {
    server.put(progressing);
    server.onWatch = (w) => {
      watches.push(w);
      setTimeout(() => w.end(), 30);
    };
    const t0 = Date.now();
    const err = await waitForRollout(client, kc, 'default', 'reviews-v1', {
      timeoutMs: 300,
      retryIntervalMs: 20,
    }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(
      new RegExp(
        /^timed out after 300ms waiting for Deployment reviews-v1.default to roll out \(watch resumed \d+ /.source +
          /times, retry interval 20ms\); last observed: 1 old replicas are pending termination$/.source,
      ),
    );
    expect(watches.length).toBeGreaterThan(1);
  });

  it('fails at once when the Deployment is deleted during the wait (a DELETED event)', async () => {
    server.put(progressing);
    server.onWatch = (w) =>
      setTimeout(
        () => w.send('DELETED', { ...progressing, metadata: { ...progressing.metadata, resourceVersion: '400' } }),
        20,
      );
    const t0 = Date.now();
    const err = await waitForRollout(client, kc, 'default', 'reviews-v1', {
      timeoutMs: 5000,
      retryIntervalMs: 20,
    }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(
      new RegExp(
        /^Deployment reviews-v1.default was deleted while waiting for it to roll out \(last observed: 1 /.source +
          /old replicas are pending termination\)$/.source,
      ),
    );
  });

  it('fails when a re-list no longer finds a Deployment it saw', async () => {
    server.put(progressing);
    server.onWatch = (w) => {
      watches.push(w);
      w.send('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
        message: 'too old',
      });
      server.objects.clear();
      w.end();
    };
    const err = await waitForRollout(client, kc, 'default', 'reviews-v1', {
      timeoutMs: 5000,
      retryIntervalMs: 10,
    }).catch((e) => e);
    expect(err.message).toMatch(/was deleted while waiting/);
  });

  it('keeps waiting while the Deployment does not exist yet', async () => {
    setTimeout(() => server.put(rolledOut('0')), 80);
    await waitForRollout(client, kc, 'default', 'reviews-v1', { timeoutMs: 3000, retryIntervalMs: 20 });
  });
});
