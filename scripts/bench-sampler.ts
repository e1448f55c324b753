/**
 * Sampler throughput against autocannon: the same loopback server, the same concurrency, the same
 * number of requests, measured in one run (this machine is noisy, so only the ratio is meaningful).
 * autocannon runs in a child process so the two never share an event loop with the server.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { IngressClient } from '../src/traffic/client.js';

const BODY = '<html><body>Reviews served by: reviews-v1-0000000000-00000</body></html>'.padEnd(4096, ' ');

export interface SamplerBench {
  concurrency: number;
  requests: number;
  meshproofRps: number;
  autocannonRps: number;
  ratio: number;
}

/** The server runs in its own process, so neither client shares an event loop with it. */
async function serve(): Promise<{ stop: () => void; url: string }> {
  const code = `const body=${JSON.stringify(BODY)};const s=require('http').createServer((q,r)=>r.writeHead(200,{'content-type':'text/html'}).end(body));s.keepAliveTimeout=30000;s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { stop: () => child.kill(), url: `http://127.0.0.1:${chunk.toString().trim()}` };
}

async function meshproofRps(url: string, concurrency: number, requests: number): Promise<number> {
  const client = new IngressClient({ baseUrl: url, connections: concurrency, timeoutMs: 10_000 });
  let left = requests;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const a = await client.send('/productpage');
        if (a.status !== 200) throw new Error(`unexpected answer ${a.status ?? a.error}`);
      }
    }),
  );
  const rps = requests / ((performance.now() - started) / 1000);
  await client.close();
  return rps;
}

async function autocannonRps(url: string, concurrency: number, requests: number): Promise<number> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const child = spawn(process.execPath, [bin, '-c', String(concurrency), '-a', String(requests), '-j', `${url}/productpage`], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`autocannon exited ${code}`);
  const r = JSON.parse(out) as { requests: { total: number }; duration: number; non2xx: number; errors: number };
  if (r.non2xx || r.errors) throw new Error(`autocannon saw ${r.non2xx} non-2xx and ${r.errors} errors`);
  return r.requests.total / r.duration;
}

export async function benchSampler(concurrency = 8, requests = 20_000): Promise<SamplerBench> {
  const { stop, url } = await serve();
  try {
    await meshproofRps(url, concurrency, 2_000); // warm-up of the JIT and the server
    const a = await autocannonRps(url, concurrency, requests);
    const m = await meshproofRps(url, concurrency, requests);
    return { concurrency, requests, meshproofRps: Math.round(m), autocannonRps: Math.round(a), ratio: Math.round((m / a) * 100) / 100 };
  } finally {
    stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchSampler());
}
