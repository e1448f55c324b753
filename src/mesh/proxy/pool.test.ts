import { describe, expect, it } from 'vitest';
import type { ClusterDef } from '../translate/clusters.js';
import { poolPolicy } from '../translate/pool.js';
import { ConnectionPools } from './pool.js';

const cluster = (connectionPool: unknown): ClusterDef => ({
  name: 'outbound|9080|v1|back.default.svc.cluster.local',
  endpoints: [],
  pool: poolPolicy({ connectionPool }) ?? undefined,
});

describe('connection pool policy', () => {
  it('reads the three limits, unlimited unless set, and a subset’s pool replaces the rule’s', () => {
    expect(
      poolPolicy({ connectionPool: { tcp: { maxConnections: 2 }, http: { http1MaxPendingRequests: 0 } } }),
    ).toEqual({ maxConnections: 2, maxPending: Infinity, maxRequests: Infinity });
    expect(poolPolicy({ connectionPool: { http: { maxRetries: 3 } } })).toBeNull();
    expect(
      poolPolicy(
        { connectionPool: { tcp: { maxConnections: 2 } } },
        { connectionPool: { http: { http2MaxRequests: 7 } } },
      ),
    ).toEqual({ maxConnections: Infinity, maxPending: Infinity, maxRequests: 7 });
  });
});

describe('ConnectionPools', () => {
  it('admits up to the limit, queues up to maxPending in order, overflows beyond, hands a freed slot on', async () => {
    const pools = new ConnectionPools();
    const c = cluster({ tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 2 } });
    const first = await pools.acquire(c);
    expect(first).not.toBeNull();
    const order: string[] = [];
    const second = pools.acquire(c).then((r) => (order.push('second'), r));
    const third = pools.acquire(c).then((r) => (order.push('third'), r));
    expect(await pools.acquire(c)).toBeNull(); // one in flight, two pending: the fourth overflows
    first!();
    const r2 = await second;
    expect(order).toEqual(['second']);
    r2!();
    (await third)!();
    expect(order).toEqual(['second', 'third']);
    // All released: a new request goes straight through.
    expect(await pools.acquire(c)).not.toBeNull();
  });

  it('drops a pending request that is cancelled, and caps in-flight plus pending at http2MaxRequests', async () => {
    const pools = new ConnectionPools();
    const c = cluster({ tcp: { maxConnections: 1 }, http: { http2MaxRequests: 2 } });
    const held = await pools.acquire(c);
    const ctl = new AbortController();
    const waiting = pools.acquire(c, ctl.signal);
    expect(await pools.acquire(c)).toBeNull(); // 1 active + 1 pending = 2 requests
    ctl.abort();
    expect(await waiting).toBeNull();
    const next = pools.acquire(c);
    held!();
    expect(await next).not.toBeNull();
  });

  it('never limits a cluster without a pool', async () => {
    const pools = new ConnectionPools();
    const c = cluster(undefined);
    const all = await Promise.all(Array.from({ length: 100 }, () => pools.acquire(c)));
    expect(all.every((r) => r !== null)).toBe(true);
  });
});
