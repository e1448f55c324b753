/**
 * Report memory under a long run: 100,000 request events streamed through the requests.ndjson
 * writer (via the multiplexer, as a run does), then index.html rendered from that file. Peak RSS
 * must stay under 200 MB however many requests there are. The work runs in a fresh child process
 * so the peak belongs to it alone, not to whatever the calling process did before.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Multiplexer } from '../src/report/multiplexer.js';
import { RequestsFileReporter } from '../src/report/files/requests-ndjson.js';
import { writeHtmlReport } from '../src/report/html/html-file.js';
import { manyRequests } from '../src/report/testing/synthetic-run.js';
import type { RunResults } from '../src/model/results.js';

export const REPORT_RSS_GOAL_MB = 200;

export interface ReportBench {
  requests: number;
  peakRssMb: number;
  goalMb: number;
  withinGoal: boolean;
  ndjsonMb: number;
  htmlKb: number;
  ms: number;
}

/** Runs the benchmark in a child process and returns what it measured. */
export async function benchReport(requests = 100_000): Promise<ReportBench> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(requests)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`report benchmark child exited ${code}`);
  return JSON.parse(out) as ReportBench;
}

/** The measured work. */
async function measure(requests: number): Promise<ReportBench> {
  const dir = await mkdtemp(join(tmpdir(), 'meshproof-bench-report-'));
  const started = performance.now();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const mux = new Multiplexer([new RequestsFileReporter(dir)]);
    const counts: Record<string, number> = {};
    for (const e of manyRequests(requests)) {
      await mux.emit(e);
      if (e.type === 'request' && e.record.phase === 'verify' && e.record.reviews)
        counts[e.record.reviews] = (counts[e.record.reviews] ?? 0) + 1;
    }
    await mux.close();
    const html = await writeHtmlReport(dir, soakResults(requests, counts), { requireRequests: true });
    const elapsed = performance.now() - started;
    // maxRSS (KiB) is the kernel's own peak for this process: it catches spikes the sampler misses.
    const peakRssMb = Math.max(peak, process.resourceUsage().maxRSS * 1024) / 2 ** 20;
    return {
      requests,
      peakRssMb: Math.round(peakRssMb),
      goalMb: REPORT_RSS_GOAL_MB,
      withinGoal: peakRssMb < REPORT_RSS_GOAL_MB,
      ndjsonMb: Math.round(((await stat(join(dir, 'requests.ndjson'))).size / 2 ** 20) * 10) / 10,
      htmlKb: Math.round((await stat(html)).size / 1024),
      ms: Math.round(elapsed),
    };
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Results for the single long step manyRequests() describes. */
function soakResults(requests: number, observed: Record<string, number>): RunResults {
  const n = Object.values(observed).reduce((a, b) => a + b, 0);
  const step = {
    name: 'soak',
    kind: 'step' as const,
    outcome: 'passed' as const,
    message: 'step soak passed',
    startedAt: '2026-05-04T10:00:00.000Z',
    durationMs: requests * 3,
    propagationMs: (requests / 50) * 3,
    settledBy: 'proxies' as const,
    requests,
    settleRequests: Math.ceil(requests / 50),
    applied: [],
    expectations: [
      {
        user: 'anonymous',
        path: '/productpage',
        expected: { v1: 80, v3: 20 },
        observed,
        outcome: 'passed' as const,
        intervals: {},
        requests: n,
        pods: {},
        message: 'soak',
      },
    ],
    gates: [],
    latencyMs: { p50: null, p90: null, p99: null },
    latencyByVersion: {},
    errors: { total: 0, byKind: {}, byPod: {} },
    layers: null,
  };
  return {
    schemaVersion: 1,
    plan: 'soak',
    planFile: 'soak.yaml',
    target: 'local',
    targetDescription: 'benchmark',
    outcome: 'passed',
    message: 'soak',
    startedAt: step.startedAt,
    durationMs: step.durationMs,
    seed: 3,
    settings: { alpha: 0.01, tolerance: 0.1, maxRequests: requests },
    interrupted: false,
    phases: [],
    steps: [step],
    rollback: null,
    exitCode: 0,
  };
}

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(await measure(Number(process.argv[3]))));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchReport();
  console.log(r);
  if (!r.withinGoal) {
    console.error(`report peak RSS ${r.peakRssMb} MB is over the ${r.goalMb} MB goal`);
    process.exitCode = 1;
  }
}
