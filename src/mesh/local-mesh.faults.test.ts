/**
 * Test faults beyond Istio's own, and the determinism of names and choices under a seed.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalMesh } from './local-mesh.js';
import { BASE, edgeVirtualService, get, startMesh, yaml } from './testing/fixtures.js';

let mesh: LocalMesh;
beforeAll(async () => {
  mesh = await startMesh();
});
afterAll(() => mesh.stop());

const pod = (deployment: string) => mesh.pods().find((p) => p.deployment === deployment)!;

async function direct(address: string): Promise<number | string> {
  try {
    const r = await request(`http://${address}/`, { reset: true });
    await r.body.text();
    return r.statusCode;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('fault hooks', () => {
  it('stops a pod (connections refused) and starts it again on the same address', async () => {
    const p = pod('back-v2');
    await mesh.faults.stopPod(p.name);
    expect(await direct(p.address)).toBe('ECONNREFUSED');
    expect(mesh.pods().find((x) => x.name === p.name)!.ready).toBe(false);
    await mesh.faults.startPod(p.name);
    expect(await direct(p.address)).toBe(200);
  });

  it('makes a pod answer 503 to a share of requests', async () => {
    const p = pod('back-v1');
    mesh.faults.failPod(p.name, 1);
    expect(await direct(p.address)).toBe(503);
    mesh.faults.failPod(p.name, 0.5);
    const answers = await Promise.all(Array.from({ length: 200 }, () => direct(p.address)));
    const failed = answers.filter((a) => a === 503).length;
    expect(failed).toBeGreaterThan(70);
    expect(failed).toBeLessThan(130);
    mesh.faults.clearPod(p.name);
    expect(await direct(p.address)).toBe(200);
  });

  it('slows a pod down', async () => {
    const p = pod('back-v3');
    mesh.faults.slowPod(p.name, 120);
    const t0 = performance.now();
    expect(await direct(p.address)).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
    mesh.faults.clearPod(p.name);
  });

  it('makes the ingress refuse connections for a while', async () => {
    await mesh.faults.refuseIngress(200);
    await expect(request(`${mesh.ingressUrl}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await new Promise((r) => setTimeout(r, 260));
    expect((await get(mesh, '/')).status).toBe(200);
  });
});

describe('determinism', () => {
  it('names pods like a ReplicaSet does, the same for the same seed', async () => {
    const names = mesh.pods().map((p) => p.name);
    for (const n of names)
      expect(n).toMatch(/^(front|back)-v\d-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const same = await startMesh({ seed: 7 });
    const other = await startMesh({ seed: 8 });
    try {
      expect(same.pods().map((p) => p.name)).toEqual(names);
      expect(other.pods().map((p) => p.name)).not.toEqual(names);
      expect(mesh.proxies().find((p) => p.role === 'gateway')!.pod).toMatch(/^istio-ingressgateway-\w{10}-\w{5}$/);
    } finally {
      await Promise.all([same.stop(), other.stop()]);
    }
  });

  it('makes the same weighted choices for the same seed', async () => {
    const split = edgeVirtualService(`    - route:
        - { destination: { host: back, subset: v1 }, weight: 50 }
        - { destination: { host: back, subset: v2 }, weight: 50 }
`);
    const run = async (seed: number) => {
      const m = await startMesh({ seed }, `${BASE}---\n${split}`);
      try {
        const out: string[] = [];
        for (let i = 0; i < 30; i++) out.push((await get(m, '/')).json.version!);
        return out.join('');
      } finally {
        await m.stop();
      }
    };
    const a = await run(11);
    expect(await run(11)).toBe(a);
    expect(await run(12)).not.toBe(a);
  });

  it('replaces the pods when the template changes and scales when replicas change', async () => {
    const m = await startMesh();
    try {
      const before = m
        .pods()
        .filter((p) => p.deployment === 'back-v1')
        .map((p) => p.name);
      const oldAddress = m.pods().find((p) => p.name === before[0])!.address;
      await m.apply(
        yaml(
          BASE.replace(
            'replicas: 1\n  selector: { matchLabels: { app: back, version: v1 } }',
            'replicas: 3\n  selector: { matchLabels: { app: back, version: v1 } }',
          ),
        ),
      );
      const scaled = m
        .pods()
        .filter((p) => p.deployment === 'back-v1')
        .map((p) => p.name);
      expect(scaled).toHaveLength(3);
      expect(scaled[0]).toBe(before[0]);
      expect(
        m.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'back-v1', namespace: 'default' })!.status,
      ).toMatchObject({ replicas: 3, readyReplicas: 3, observedGeneration: 2 });
      await m.apply(yaml(BASE.replaceAll('image: example.org/test/echo:1.0', 'image: example.org/test/echo:2.0')));
      const replaced = m
        .pods()
        .filter((p) => p.deployment === 'back-v1')
        .map((p) => p.name);
      expect(replaced).toHaveLength(1);
      expect(replaced[0]!.split('-')[2]).not.toBe(before[0]!.split('-')[2]);
      // The replaced pods stop once every proxy has stopped sending to them.
      await m.whenSettled();
      await m.whenDrained();
      expect(await direct(oldAddress)).toBe('ECONNREFUSED');
    } finally {
      await m.stop();
    }
  });
});
