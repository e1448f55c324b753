/**
 * Propagation: each proxy receives a change after its own seeded delay and routes with its old
 * route JSON until then; the proxy dump changes exactly when routing does. Pushes travel on a
 * manual clock, so "until the delay has passed" is decided by the test, not by the machine's load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/testing/manual-clock.js';
import type { LocalMesh } from './local-mesh.js';
import { hop, startMesh, yaml } from './testing/fixtures.js';

let mesh: LocalMesh | undefined;
afterEach(async () => {
  await mesh?.stop();
  mesh = undefined;
});

const toV9 = yaml(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: back }
spec:
  hosts: [back]
  http: [{ route: [{ destination: { host: back, subset: v9 } }] }]
`);

const frontPod = (m: LocalMesh) => m.pods().find((p) => p.deployment === 'front-v1')!.name;
const backVhost = (m: LocalMesh, pod: string) =>
  m.proxyRoutes(pod)![0]!.virtualHosts!.find((v) => v.name.startsWith('back.'))!;

describe('propagation', () => {
  it('keeps routing with the old routes until the proxy’s delay passed, then switches with its dump', async () => {
    const clock = new ManualClock();
    mesh = await startMesh({ propagationDelayMs: { minMs: 150, maxMs: 300 }, clock });
    const front = frontPod(mesh);
    const before = JSON.stringify(mesh.proxyRoutes(front));
    const applied = clock.now();
    await mesh.apply(toV9);
    expect(mesh.pendingPushes).toBeGreaterThan(0);
    // Still the default route: every call succeeds, and the dump has not changed.
    for (let i = 0; i < 3; i++) expect((await hop(mesh, 'back')).upstream!.status).toBe(200);
    expect(JSON.stringify(mesh.proxyRoutes(front))).toBe(before);
    expect(mesh.proxyVersion(front)!.holds).toBeLessThan(mesh.proxyVersion(front)!.latest);

    // Step time a millisecond at a time; the first request after the dump changes must follow the new route.
    while (JSON.stringify(mesh.proxyRoutes(front)) === before) clock.advance(1);
    const switchedAfter = clock.now() - applied;
    expect(switchedAfter).toBeGreaterThanOrEqual(145);
    expect(switchedAfter).toBeLessThan(400);
    expect(switchedAfter).toBeLessThanOrEqual(300);
    expect(backVhost(mesh, front).routes![0]!.route!.cluster).toBe('outbound|9080|v9|back.default.svc.cluster.local');
    const r = await hop(mesh, 'back');
    expect([r.upstream!.status, r.upstream!.body]).toEqual([503, '']);
    clock.runAll();
    await mesh.whenSettled();
    expect(mesh.pendingPushes).toBe(0);
  });

  it('gives each proxy its own delay', async () => {
    const clock = new ManualClock();
    mesh = await startMesh({ propagationDelayMs: { minMs: 20, maxMs: 400 }, clock });
    const t0 = clock.now();
    await mesh.apply(toV9);
    clock.runAll();
    await mesh.whenSettled();
    const arrivals = mesh
      .state()
      .proxies.filter((p) => p.role === 'sidecar')
      .map((p) => p.received.at(-1)!.at - t0);
    expect(arrivals.length).toBe(4);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThan(20);
    for (const a of arrivals) expect(a).toBeGreaterThanOrEqual(19);
  });

  it('delivers at once with a zero delay', async () => {
    mesh = await startMesh({ propagationDelayMs: { minMs: 0, maxMs: 0 } });
    await mesh.apply(toV9);
    expect(mesh.pendingPushes).toBe(0);
    expect(backVhost(mesh, frontPod(mesh)).routes![0]!.route!.cluster).toContain('|v9|');
  });

  it('skips a push that changes nothing for a proxy', async () => {
    const clock = new ManualClock();
    mesh = await startMesh({ propagationDelayMs: { minMs: 100, maxMs: 200 }, clock });
    const gateway = mesh.proxies().find((p) => p.role === 'gateway')!.pod;
    const before = mesh.proxyVersion(gateway)!.holds;
    await mesh.apply(toV9); // a mesh VirtualService: nothing for the gateway's routes or clusters
    expect(mesh.state().proxies.find((p) => p.pod === gateway)!.pendingPushes).toBe(0);
    clock.runAll();
    await mesh.whenSettled();
    expect(mesh.proxyVersion(gateway)!.holds).toBe(before);
  });
});
