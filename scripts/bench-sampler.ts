/**
 * Sampler throughput against autocannon: the same loopback server, the same concurrency, the same
 * time, measured in one run (this machine is noisy, so only the ratio is meaningful).
 *
 * The meshproof side is the real Sampler with the Bookinfo classifier, as a run uses it: every
 * answer is read, classified and recorded. The server answers with a productpage page rendered by
 * the Bookinfo stand-ins (productpage → details, reviews v3 → ratings), so the classifier parses
 * what it parses in a run. Server and autocannon each run in their own process, so neither shares
 * an event loop with the sampler. The two take turns in rounds, so both see the same weather.
 *
 * The sampler remembers the classification of answers it has seen byte for byte (a Bookinfo run
 * sees a handful of distinct pages). A third contender asks for /productpage?distinct, where the
 * server gives every answer its own pod name, so no page is ever seen twice: the worst case.
 *
 *   npx tsx scripts/bench-sampler.ts [--concurrency 8] [--round-ms 2000] [--rounds 6]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { bookinfoClassifier } from '../src/bookinfo/classifier/index.js';
import { bookinfoCatalog } from '../src/mesh/apps/catalog.js';
import { serveApp, type Served } from '../src/mesh/apps/testing/serve-app.js';
import type { OutboundRequest, OutboundResponse } from '../src/mesh/app.js';
import { IngressClient } from '../src/traffic/client.js';
import { Sampler } from '../src/traffic/sampler.js';
import { clientRound, interleave, procCpu, ratio, selfCpu } from './bench-load.js';

export interface SamplerBench {
  concurrency: number;
  /** Requests each contender completed over all its rounds. */
  requests: { meshproof: number; autocannon: number; client: number };
  rounds: number;
  roundMs: number;
  /** Size of the productpage body every answer carries. */
  bodyBytes: number;
  meshproofRps: number;
  autocannonRps: number;
  ratio: number;
  /** Cores used while meshproof's rounds ran: this process (the sampler) and the server's. */
  meshproofCores: { sampler: number; server: number };
  /** meshproof's HTTP client alone (IngressClient, body read, no sampler, no classifier) on the same server. */
  clientOnlyRps: number;
  clientOnlyCores: { client: number; server: number };
  /** The server's cores while autocannon's rounds ran (autocannon's own startup would blur its figure). */
  autocannonCores: { server: number };
  /** CPU one classification of an unseen page costs (median of 5 batches). */
  classifyMicros: number;
  /** The sampler on pages that are all different (each one classified afresh). */
  distinctRps: number;
  distinctRatio: number;
  /** Answers the sampler classified afresh, and found already classified, over its measured rounds. */
  classified: { misses: number; hits: number };
  goal: number;
  goalMet: boolean;
}

export const SAMPLER_GOAL = 0.8;
const POD = 'reviews-v3-84779c7bbc-qb2vs';

/**
 * The /productpage a user sees with reviews v3: the productpage stand-in renders it from the
 * details and reviews stand-ins, reviews v3 asking the ratings stand-in for its red stars. Each
 * app's outbound call goes straight to the next app's server (no mesh in between).
 */
export async function standInProductPage(): Promise<string> {
  const served: Served[] = [];
  const app = async (image: string, podName: string, upstreams: Record<string, string> = {}) => {
    const entry = bookinfoCatalog.lookup(`docker.io/istio/examples-bookinfo-${image}:1.20.3`);
    if (!entry) throw new Error(`no stand-in for ${image}`);
    const s = await serveApp(entry.factory, { podName, env: entry.env, call: (req) => forward(upstreams, req) });
    served.push(s);
    return s.url;
  };
  try {
    const ratings = await app('ratings-v1', 'ratings-v1-65f797b499-5cq8d');
    const reviews = await app('reviews-v3', POD, { ratings });
    const details = await app('details-v1', 'details-v1-766844796b-7hqvs');
    const productpage = await app('productpage-v1', 'productpage-v1-d5789fdfb-7hlzc', { details, reviews });
    const res = await request(`${productpage}/productpage`);
    const body = await res.body.text();
    const c = bookinfoClassifier.classify({
      status: res.statusCode,
      contentType: String(res.headers['content-type']),
      body,
    });
    if (res.statusCode !== 200 || c.reviews !== 'v3' || c.ratings !== 'stars')
      throw new Error(`the stand-ins rendered an unexpected page: HTTP ${res.statusCode}, ${JSON.stringify(c)}`);
    return body;
  } finally {
    await Promise.all(served.map((s) => s.close()));
  }
}

async function forward(upstreams: Record<string, string>, req: OutboundRequest): Promise<OutboundResponse> {
  const base = upstreams[req.host.split('.')[0]!];
  if (!base) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${req.host}`), { code: 'ENOTFOUND' });
  const res = await request(`${base}${req.path}`, {
    method: (req.method ?? 'GET') as 'GET',
    headers: req.headers ?? {},
    body: req.body ?? null,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers, body: await res.body.text() };
}

/** The server runs in its own process, so neither client shares an event loop with it. */
export async function serve(body: string): Promise<{ stop: () => void; url: string; pid: number }> {
  // The body goes in on stdin: it is too large to be comfortable in an argument.
  // /productpage?distinct replaces the last five characters of the reviews pod's name with a counter.
  const code =
    "let body='',n=0;" +
    "process.stdin.setEncoding('utf8').on('data',(d)=>body+=d).on('end',()=>{" +
    `const p=body.split('${POD}');` +
    "const s=require('http').createServer((q,r)=>r.writeHead(200,{'content-type':'text/html; charset=utf-8'})" +
    `.end(q.url.endsWith('?distinct')?p.join('${POD.slice(0, -5)}'+` +
    "(n++%60466176).toString(36).padStart(5,'0')):body));" +
    "s.keepAliveTimeout=30000;s.listen(0,'127.0.0.1',()=>console.log(s.address().port));});";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(body);
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { stop: () => child.kill(), url: `http://127.0.0.1:${chunk.toString().trim()}`, pid: child.pid! };
}

/** Median CPU microseconds of one classification of `body`. */
function classifyCost(body: string): number {
  const batches = Array.from({ length: 5 }, () => {
    const started = performance.now();
    for (let i = 0; i < 400; i++)
      bookinfoClassifier.classify({ status: 200, contentType: 'text/html; charset=utf-8', body });
    return ((performance.now() - started) * 1000) / 400;
  }).sort((a, b) => a - b);
  return Math.round(batches[2]!);
}

/** The real Sampler for `ms`; every answer must be classified as the page it is. */
async function samplerRound(
  sampler: Sampler,
  concurrency: number,
  ms: number,
  path = '/productpage',
): Promise<{ requests: number; seconds: number }> {
  const started = performance.now();
  const end = started + ms;
  const records = await sampler.run({
    step: 'bench',
    expectation: 0,
    phase: 'verify',
    user: 'anonymous',
    path,
    concurrency,
    maxRequests: Number.MAX_SAFE_INTEGER,
    shouldContinue: () => performance.now() < end,
  });
  const seconds = (performance.now() - started) / 1000;
  const wrong = [...records].filter((r) => r.status !== 200 || r.reviews !== 'v3' || r.ratings !== 'stars');
  if (wrong.length)
    throw new Error(
      `${wrong.length} of ${records.length} answers were not classified as reviews v3 with stars: ` +
        `${JSON.stringify(wrong[0])}`,
    );
  return { requests: records.length, seconds };
}

/**
 * autocannon for `ms` (its duration mode: in amount mode it reports durations rounded to whole
 * seconds, which makes short rounds meaningless). Its own start-up is not in the figure.
 */
export async function autocannonRound(
  url: string,
  concurrency: number,
  ms: number,
): Promise<{ requests: number; seconds: number }> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const child = spawn(
    process.execPath,
    [bin, '-c', String(concurrency), '-d', String(ms / 1000), '-j', `${url}/productpage`],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`autocannon exited ${code}`);
  const r = JSON.parse(out) as { requests: { total: number }; duration: number; non2xx: number; errors: number };
  if (r.non2xx || r.errors) throw new Error(`autocannon saw ${r.non2xx} non-2xx and ${r.errors} errors`);
  return { requests: r.requests.total, seconds: r.duration };
}

export async function benchSampler(concurrency = 8, roundMs = 2_000, rounds = 6): Promise<SamplerBench> {
  const body = await standInProductPage();
  const { stop, url, pid } = await serve(body);
  const client = new IngressClient({ baseUrl: url, connections: concurrency, timeoutMs: 10_000 });
  // Records are dropped: the run's reporters are measured elsewhere (the 100k-request row).
  const sampler = new Sampler(client, bookinfoClassifier, performance.now(), () => {});
  const distinct = new Sampler(client, bookinfoClassifier, performance.now(), () => {});
  let before = { misses: 0, hits: 0 };
  try {
    const r = await interleave(
      [
        {
          name: 'autocannon',
          warmup: () => autocannonRound(url, concurrency, 1_000),
          round: () => autocannonRound(url, concurrency, roundMs),
        },
        {
          name: 'meshproof',
          warmup: async () => {
            await samplerRound(sampler, concurrency, 1_000);
            before = { ...sampler.classified };
          },
          round: () => samplerRound(sampler, concurrency, roundMs),
        },
        {
          name: 'distinct',
          warmup: () => samplerRound(distinct, concurrency, 1_000, '/productpage?distinct'),
          round: () => samplerRound(distinct, concurrency, roundMs, '/productpage?distinct'),
        },
        // The same HTTP client without the sampler or the classifier: splits the sampler's cost.
        {
          name: 'client',
          warmup: () => clientRound(client, '/productpage', concurrency, 1_000),
          round: () => clientRound(client, '/productpage', concurrency, roundMs),
        },
      ],
      rounds,
      { sampler: selfCpu, server: procCpu(pid) },
    );
    const m = r.meshproof!;
    const a = r.autocannon!;
    const c = r.client!;
    const d = r.distinct!;
    const q = ratio(m.rps, a.rps);
    const classifyMicros = classifyCost(body);
    return {
      concurrency,
      requests: { meshproof: m.requests, autocannon: a.requests, client: c.requests },
      rounds,
      roundMs,
      bodyBytes: Buffer.byteLength(body),
      meshproofRps: Math.round(m.rps),
      autocannonRps: Math.round(a.rps),
      ratio: q,
      goal: SAMPLER_GOAL,
      goalMet: q >= SAMPLER_GOAL,
      meshproofCores: { sampler: m.cores.sampler!, server: m.cores.server! },
      clientOnlyRps: Math.round(c.rps),
      clientOnlyCores: { client: c.cores.sampler!, server: c.cores.server! },
      autocannonCores: { server: a.cores.server! },
      classifyMicros,
      distinctRps: Math.round(d.rps),
      distinctRatio: ratio(d.rps, a.rps),
      classified: { misses: sampler.classified.misses - before.misses, hits: sampler.classified.hits - before.hits },
    };
  } finally {
    await client.close();
    stop();
  }
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchSampler(flag('--concurrency', 8), flag('--round-ms', 2_000), flag('--rounds', 6)));
}
