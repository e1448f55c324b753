/**
 * The local mesh's overhead: requests per second through the ingress gateway against the same
 * requests sent straight to the productpage pod's own loopback address (no gateway), and the
 * reviews pod itself as the floor. Same client (meshproof's), same concurrency, rounds taken in
 * turn. The mesh runs in its own process, as in a run; the client runs in this one.
 *
 * What each path crosses (all v1, so reviews never calls ratings):
 *   ingress  /productpage                  gateway → productpage → sidecar → details, sidecar → reviews
 *   direct   /productpage                  productpage → sidecar → details, sidecar → reviews
 *   ingress  /api/v1/products/0/reviews    gateway → productpage → sidecar → reviews
 *   direct   /api/v1/products/0/reviews    productpage → sidecar → reviews
 *   direct   /reviews/0 on the reviews pod reviews alone
 *
 *   npx tsx scripts/bench-mesh.ts [--concurrency 8] [--round-ms 1000] [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { IngressClient } from '../src/traffic/client.js';
import { clientRound, interleave, procCpu, ratio, selfCpu, type Contender, type Rate } from './bench-load.js';

export interface MeshPath {
  name: string;
  via: 'ingress' | 'productpage pod' | 'reviews pod';
  path: string;
  rps: number;
  requests: number;
  /** Cores used during this path's rounds by the mesh process and by the client. */
  meshCores: number;
  clientCores: number;
}

export interface MeshBench {
  concurrency: number;
  rounds: number;
  roundMs: number;
  paths: MeshPath[];
  /** Ingress rate over direct-to-pod rate, per path: what the gateway hop costs. */
  productpageRatio: number;
  apiReviewsRatio: number;
  /** The productpage pod's API call over the reviews pod alone: what productpage and its sidecar hop cost. */
  sidecarHopRatio: number;
}

interface Served {
  ingress: string;
  productpage: string;
  reviews: string;
}

const root = join(fileURLToPath(import.meta.url), '..', '..');

/** Child side: Bookinfo on the local target, every service pinned to v1, config settled. */
async function serveMesh(): Promise<void> {
  const { LocalTarget } = await import('../src/targets/local/local-target.js');
  const { loadManifestFile } = await import('../src/kube/manifest.js');
  const { paths } = await import('../src/core/paths.js');
  const target = new LocalTarget({ seed: 1, propagationDelayMs: { minMs: 0, maxMs: 0 } });
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  await target.up({ namespace: 'default', base });
  for (const f of ['istio/destination-rule-all.yaml', 'routing/virtual-service-all-v1.yaml'])
    await target.apply(await loadManifestFile(join(paths.manifests, f)));
  await target.mesh.whenSettled();
  const pods = target.mesh.pods('default');
  const address = (prefix: string) => pods.find((p) => p.name.startsWith(prefix))!.address;
  const served: Served = {
    ingress: target.mesh.ingressUrl,
    productpage: `http://${address('productpage-v1-')}`,
    reviews: `http://${address('reviews-v1-')}`,
  };
  process.stdout.write(`${JSON.stringify(served)}\n`);
  // Serves until the parent closes stdin (or dies).
  process.stdin.resume();
  await once(process.stdin, 'end');
  await target.close();
}

async function startMesh(): Promise<{ served: Served; stop: () => void; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) =>
    Promise.reject(new Error(`the local mesh process exited ${code} before serving`)),
  );
  const first = once(lines, 'line').then(([line]) => JSON.parse(line as string) as Served);
  const served = await Promise.race([first, exited]);
  exited.catch(() => undefined);
  return { served, stop: () => child.stdin.end(), pid: child.pid! };
}

export async function benchMesh(concurrency = 8, roundMs = 1_000, rounds = 3): Promise<MeshBench> {
  const { served, stop, pid } = await startMesh();
  const clients: IngressClient[] = [];
  const contender = (name: string, base: string, path: string): Contender => {
    const client = new IngressClient({ baseUrl: base, connections: concurrency, timeoutMs: 10_000 });
    clients.push(client);
    return {
      name,
      warmup: () => clientRound(client, path, concurrency, 500),
      round: () => clientRound(client, path, concurrency, roundMs),
    };
  };
  const specs: [string, MeshPath['via'], string, string][] = [
    ['ingress /productpage', 'ingress', served.ingress, '/productpage'],
    ['direct /productpage', 'productpage pod', served.productpage, '/productpage'],
    ['ingress /api/v1/products/0/reviews', 'ingress', served.ingress, '/api/v1/products/0/reviews'],
    ['direct /api/v1/products/0/reviews', 'productpage pod', served.productpage, '/api/v1/products/0/reviews'],
    ['reviews pod /reviews/0', 'reviews pod', served.reviews, '/reviews/0'],
  ];
  try {
    const r: Record<string, Rate> = await interleave(
      specs.map(([name, , base, path]) => contender(name, base, path)),
      rounds,
      { mesh: procCpu(pid), client: selfCpu },
    );
    const rps = (name: string) => r[name]!.rps;
    return {
      concurrency,
      rounds,
      roundMs,
      paths: specs.map(([name, via, , path]) => ({
        name,
        via,
        path,
        rps: Math.round(rps(name)),
        requests: r[name]!.requests,
        meshCores: r[name]!.cores.mesh!,
        clientCores: r[name]!.cores.client!,
      })),
      productpageRatio: ratio(rps('ingress /productpage'), rps('direct /productpage')),
      apiReviewsRatio: ratio(rps('ingress /api/v1/products/0/reviews'), rps('direct /api/v1/products/0/reviews')),
      sidecarHopRatio: ratio(rps('direct /api/v1/products/0/reviews'), rps('reviews pod /reviews/0')),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    stop();
  }
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

if (process.argv[2] === '--serve') {
  await serveMesh();
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(
    JSON.stringify(await benchMesh(flag('--concurrency', 8), flag('--round-ms', 1_000), flag('--rounds', 3)), null, 2),
  );
}
