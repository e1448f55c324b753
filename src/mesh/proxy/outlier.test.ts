import { describe, expect, it } from 'vitest';
import type { ClusterDef } from '../translate/clusters.js';
import { outlierPolicy } from '../translate/outlier.js';
import { OutlierDetector, outcomeOfStatus } from './outlier.js';

const endpoint = (i: number) => ({
  pod: `back-v1-${i}`,
  namespace: 'default',
  labels: {},
  address: `127.0.0.1:${4000 + i}`,
});

function cluster(n: number, od: Record<string, unknown>): ClusterDef {
  return {
    name: 'outbound|9080|v1|back.default.svc.cluster.local',
    endpoints: Array.from({ length: n }, (_, i) => endpoint(i)),
    outlier: outlierPolicy({ outlierDetection: od })!,
  };
}

function detector() {
  const clock = { t: 0 };
  return { clock, d: new OutlierDetector(() => clock.t) };
}

const addresses = (eps: readonly { address: string }[] | null) => eps?.map((e) => e.address) ?? null;

describe('outlier policy (Istio → Envoy)', () => {
  it("fills Envoy's defaults, lets a subset's setting replace the rule's, reads 0 as off or unset like Istio", () => {
    expect(outlierPolicy({ outlierDetection: {} })).toEqual({
      consecutive5xx: 5,
      consecutiveGateway: 0,
      intervalMs: 10_000,
      baseEjectionMs: 30_000,
      maxEjectionPercent: 10,
      minHealthPercent: 0,
    });
    expect(
      outlierPolicy({
        outlierDetection: {
          consecutive5xxErrors: 0,
          consecutiveGatewayErrors: 2,
          interval: '1m30s',
          baseEjectionTime: '500ms',
          maxEjectionPercent: 0,
        },
      }),
    ).toMatchObject({
      consecutive5xx: 0,
      consecutiveGateway: 2,
      intervalMs: 90_000,
      baseEjectionMs: 500,
      maxEjectionPercent: 10,
    });
    expect(
      outlierPolicy(
        { outlierDetection: { consecutive5xxErrors: 7 } },
        { outlierDetection: { consecutive5xxErrors: 2 } },
      )!.consecutive5xx,
    ).toBe(2);
    expect(outlierPolicy({ outlierDetection: { consecutive5xxErrors: 7 } }, { loadBalancer: {} })!.consecutive5xx).toBe(
      7,
    );
    expect(outlierPolicy({ loadBalancer: { simple: 'RANDOM' } })).toBeNull();
  });
});

describe('OutlierDetector', () => {
  it('ejects a host after N consecutive 5xx, not after N 5xx with a success between', () => {
    const { d } = detector();
    const c = cluster(3, { consecutive5xxErrors: 3, maxEjectionPercent: 100 });
    const [a, b] = [c.endpoints[0]!.address, c.endpoints[1]!.address];
    for (const o of ['5xx', '5xx', 'ok', '5xx', '5xx'] as const) d.record(c, a, o);
    expect(addresses(d.available(c))).toHaveLength(3);
    d.record(c, a, 'gateway-error');
    expect(addresses(d.available(c))).not.toContain(a);
    // A second failing host goes too: the max share (100 %) allows it.
    for (let i = 0; i < 3; i++) d.record(c, b, '5xx');
    expect(addresses(d.available(c))).toEqual([c.endpoints[2]!.address]);
  });

  it('brings a host back at the first review after its ejection time, longer each time it is ejected', () => {
    const { d, clock } = detector();
    const c = cluster(2, {
      consecutive5xxErrors: 1,
      interval: '1s',
      baseEjectionTime: '2500ms',
      maxEjectionPercent: 100,
    });
    const a = c.endpoints[0]!.address;
    d.available(c); // the cluster's reviews count from its first use, at t = 0
    clock.t = 100;
    d.record(c, a, '5xx');
    clock.t = 2_999;
    expect(addresses(d.available(c))).not.toContain(a);
    clock.t = 3_000; // 100 + 2500 → the review at 3 s
    expect(addresses(d.available(c))).toContain(a);
    d.record(c, a, '5xx'); // second ejection: 5 s, back at the review at 8 s
    clock.t = 7_999;
    expect(addresses(d.available(c))).not.toContain(a);
    clock.t = 8_000;
    expect(addresses(d.available(c))).toContain(a);
  });

  it('counts gateway errors only when consecutiveGatewayErrors is set, and 500 is not one', () => {
    const { d } = detector();
    const c = cluster(2, { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2, maxEjectionPercent: 100 });
    const a = c.endpoints[0]!.address;
    d.record(c, a, outcomeOfStatus(500));
    d.record(c, a, outcomeOfStatus(500));
    expect(addresses(d.available(c))).toContain(a);
    d.record(c, a, outcomeOfStatus(503));
    d.record(c, a, 'gateway-error');
    expect(addresses(d.available(c))).not.toContain(a);
  });

  it('ejects one host even above the max share, no second one; with every host out, null unless in panic', () => {
    const { d } = detector();
    const c = cluster(2, { consecutive5xxErrors: 1 }); // max 10 %: only the first ejection fits
    d.record(c, c.endpoints[0]!.address, '5xx');
    d.record(c, c.endpoints[1]!.address, '5xx');
    expect(addresses(d.available(c))).toEqual([c.endpoints[1]!.address]);

    const one = cluster(1, { consecutive5xxErrors: 1 });
    d.record(one, one.endpoints[0]!.address, '5xx');
    expect(d.available(one)).toBeNull();
    const panicky = cluster(1, { consecutive5xxErrors: 1, minHealthPercent: 50 });
    d.record(panicky, panicky.endpoints[0]!.address, '5xx');
    expect(addresses(d.available(panicky))).toEqual([panicky.endpoints[0]!.address]);
  });
});
