/**
 * Faults on the local target, each run to its verdict with a report that can be read back: an
 * ingress that refuses connections at first, a reviews pod answering 503 to 30 % of requests, a pod
 * stopped mid-step, an upstream slower than the request timeout, and SIGINT mid-step through the
 * real command line. Faults are injected through the local mesh's test hooks, from a thin Target
 * wrapper (after `up`) or from the run's own event stream (mid-step).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { bookinfoClassifier } from '../src/bookinfo/classifier/index.js';
import { paths } from '../src/core/paths.js';
import { loadManifestFile } from '../src/kube/manifest.js';
import { loadPlan } from '../src/plan/load.js';
import {
  createReporters,
  Multiplexer,
  REQUESTS_FILE,
  RESULTS_FILE,
  type RunEvent,
  type RunResults,
  type StepResult,
} from '../src/report/index.js';
import { prepareReportDir } from '../src/report/report-dir.js';
import { runPlan } from '../src/runner/run-plan.js';
import { LocalTarget } from '../src/targets/local/local-target.js';
import type { Target } from '../src/targets/target.js';
import { isDegraded, isError, type RequestRecord } from '../src/model/record.js';
import { root } from './cli.js';

const plan = (name: string) => join(root, 'e2e', 'plans', `${name}.yaml`);

interface FaultRun {
  results: RunResults;
  /** results.json as written. */
  written: RunResults;
  /** requests.ndjson, every line parsed. */
  requests: RequestRecord[];
  /** performance.now() just before the run started (a lower bound of the run's own t0). */
  startedAt: number;
  console: string;
}

interface Hooks {
  /** After the real `up`, before the runner waits for the ingress. */
  afterUp?: (t: LocalTarget) => Promise<void>;
  /** Sees every run event before the reporters do. */
  onEvent?: (e: RunEvent, t: LocalTarget) => void;
}

/** The target as the runner sees it, with `up` followed by a fault. */
function withFaultAfterUp(local: LocalTarget, afterUp: Hooks['afterUp']): Target {
  return new Proxy(local, {
    get(t, key) {
      if (key === 'up') return async (...args: Parameters<Target['up']>) => (await t.up(...args), await afterUp?.(t));
      const v = Reflect.get(t, key, t) as unknown;
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

/** Runs a plan in-process as the CLI wires it (loader, reporters, runner) on a seeded local target. */
async function runWithFaults(name: string, seed: number, hooks: Hooks = {}): Promise<FaultRun> {
  const loaded = await loadPlan(plan(name));
  const reportDir = await prepareReportDir(await mkdtemp(join(tmpdir(), 'meshproof-faults-')));
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  const local = new LocalTarget({ seed, propagationDelayMs: { minMs: 10, maxMs: 80 } });
  let console = '';
  const stderr = new Writable({ write: (chunk, _enc, done) => ((console += String(chunk)), done()) });
  const mux = new Multiplexer(
    createReporters({ reportDir, console: { stream: stderr, tty: false, json: false } }),
    stderr,
  );
  const soft = new AbortController();
  const startedAt = performance.now();
  try {
    const results = await runPlan({
      plan: loaded,
      target: withFaultAfterUp(local, hooks.afterUp),
      classifier: bookinfoClassifier,
      base,
      emit: (e) => (hooks.onEvent?.(e, local), mux.emit(e)),
      reportDir,
      seed,
      signal: soft.signal,
      hardSignal: new AbortController().signal,
      readyTimeoutMs: 20_000,
    });
    await mux.close();
    const report = await readReport(reportDir);
    return { results, ...report, startedAt, console };
  } finally {
    await local.close();
  }
}

/** results.json and requests.ndjson as a reader would take them: both must parse. */
async function readReport(dir: string): Promise<{ written: RunResults; requests: RequestRecord[] }> {
  const written = JSON.parse(await readFile(join(dir, RESULTS_FILE), 'utf8')) as RunResults;
  const text = await readFile(join(dir, REQUESTS_FILE), 'utf8');
  const requests = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RequestRecord);
  return { written, requests };
}

/** Every step (and the rollback) the results name, in order. */
const allSteps = (r: RunResults): StepResult[] => [...r.steps, ...(r.rollback ? [r.rollback] : [])];

/** The report is whole: results.json is the run's own result, every request counted is on file, once. */
function expectWholeReport(run: FaultRun): void {
  expect(run.written.outcome).toBe(run.results.outcome);
  expect(run.written.exitCode).toBe(run.results.exitCode);
  expect(run.written.partial ?? false).toBe(false);
  const counted = allSteps(run.written).reduce((n, s) => n + s.requests, 0);
  expect(run.requests).toHaveLength(counted);
  // seq restarts with the rollback's own sampler: unique within a step.
  expect(new Set(run.requests.map((r) => `${r.step}#${r.seq}`)).size).toBe(run.requests.length);
  for (const s of allSteps(run.written)) expect(run.requests.filter((r) => r.step === s.name)).toHaveLength(s.requests);
}

async function podNamed(t: LocalTarget, prefix: string): Promise<string> {
  const pod = t.mesh.pods('default').find((p) => p.name.startsWith(prefix));
  if (!pod) throw new Error(`no ${prefix} pod in the local mesh`);
  return pod.name;
}

const step = (r: RunResults, name: string) => r.steps.find((s) => s.name === name)!;

describe('faults on the local target', () => {
  it('an ingress that refuses connections for the first 3 s: the run waits with backoff and passes', async () => {
    let refusedUntil = 0;
    let probe = '';
    const run = await runWithFaults('fault-ingress-refused', 31, {
      afterUp: async (t) => {
        await t.mesh.faults.refuseIngress(3000);
        refusedUntil = performance.now() + 3000;
        // The fault is real: a connection now is refused.
        probe = await request(`${await t.ingressUrl()}/productpage`).then(
          () => 'answered',
          (err: { code?: string }) => err.code ?? 'failed',
        );
      },
    });
    expect(probe).toBe('ECONNREFUSED');
    expect(run.results.exitCode, run.console).toBe(0);
    expect(run.results.outcome).toBe('passed');
    expect(run.results.durationMs).toBeGreaterThanOrEqual(3000);
    expectWholeReport(run);
    // The wait kept the refusals out of the evidence: the first request counted was sent after the
    // ingress reopened, and none failed.
    expect(run.requests.length).toBeGreaterThanOrEqual(44);
    const first = Math.min(...run.requests.map((r) => r.t));
    expect(run.startedAt + first).toBeGreaterThanOrEqual(refusedUntil - 5);
    expect(run.requests.filter(isError)).toEqual([]);
  });

  it('a reviews pod answering 503 to 30 % in a weighted step: the error gate fails, the step names it', async () => {
    let v3 = '';
    const run = await runWithFaults('fault-reviews-503', 32, {
      afterUp: async (t) => {
        v3 = await podNamed(t, 'reviews-v3-');
        t.mesh.faults.failPod(v3, 0.3);
      },
    });
    expect(run.results.exitCode, run.console).toBe(1);
    expectWholeReport(run);
    const baseline = step(run.written, 'baseline-v1');
    expect(baseline.outcome).toBe('passed');
    expect(baseline.errors.upstreamErrors).toBeUndefined(); // no errors: the logs were not read

    const canary = step(run.written, 'canary-75');
    expect(canary.outcome).toBe('failed');
    const gate = canary.gates.find((g) => g.name === 'maxErrorRate')!;
    expect(gate.outcome).toBe('failed');
    expect(gate.observed).toBeGreaterThan(0.01);
    const answered503 = run.requests.filter((r) => r.step === 'canary-75' && r.status === 503);
    expect(answered503.length).toBeGreaterThan(0);
    // The answers name no pod (productpage's error JSON); only the proxies' access logs do.
    expect(canary.errors.byPod).toEqual({});
    expect(Object.keys(canary.errors.upstreamErrors ?? {})).toEqual([v3]);
    // Each 503 a client saw was two failed tries at reviews (productpage retries once), both on v3.
    expect(canary.errors.upstreamErrors![v3]).toBeGreaterThanOrEqual(2 * answered503.length);
    expect(canary.message).toContain(
      `upstream errors by pod (proxy access logs): ${v3} ×${canary.errors.upstreamErrors![v3]}`,
    );
    expect(run.console).toContain(v3);

    expect(run.written.rollback?.outcome).toBe('passed');
  });

  it('a pod stopped in the middle of a step: degraded pages are recorded and the gate fails the step', async () => {
    let v3 = '';
    let stopped = false;
    const run = await runWithFaults('fault-pod-stopped', 33, {
      afterUp: async (t) => void (v3 = await podNamed(t, 'reviews-v3-')),
      // The first progress event comes after 25 clean observations: the step is well under way.
      onEvent: (e, t) => {
        if (e.type !== 'progress' || e.step !== 'split-50' || stopped) return;
        stopped = true;
        void t.mesh.faults.stopPod(v3);
      },
    });
    expect(stopped).toBe(true);
    expect(run.results.exitCode, run.console).toBe(1);
    expectWholeReport(run);
    const split = step(run.written, 'split-50');
    expect(split.outcome).toBe('failed');
    const verify = run.requests.filter((r) => r.step === 'split-50' && r.phase === 'verify');
    expect(verify.slice(0, 25).every((r) => !isError(r) && !isDegraded(r))).toBe(true);
    const bad = verify.filter((r) => isError(r) || isDegraded(r));
    expect(bad.length).toBeGreaterThan(0);
    const degradedGate = split.gates.find((g) => g.name === 'maxDegradedRate')!;
    expect(degradedGate.outcome).toBe('failed');
    expect(degradedGate.observed).toBeGreaterThan(0);
    // productpage's proxy failed to connect to the stopped pod: logged against it.
    expect(split.errors.upstreamErrors?.[v3]).toBeGreaterThan(0);
    expect(split.message).toContain(`upstream errors by pod (proxy access logs): ${v3}`);
    const rollback = run.written.rollback!;
    expect(rollback.outcome).toBe('passed');
    expect(Object.keys(rollback.expectations[0]!.pods).every((p) => p.startsWith('reviews-v1-'))).toBe(true);
  });

  it('an upstream slower than the request timeout: timeouts counted as errors, the run ends promptly', async () => {
    const run = await runWithFaults('fault-slow-upstream', 34, {
      afterUp: async (t) => t.mesh.faults.slowPod(await podNamed(t, 'reviews-v3-'), 5000),
    });
    expect(run.results.exitCode, run.console).toBe(1);
    expect(run.results.durationMs).toBeLessThan(20_000);
    expectWholeReport(run);
    expect(step(run.written, 'baseline-v1').outcome).toBe('passed');
    const slow = step(run.written, 'all-v3');
    expect(slow.outcome).toBe('failed');
    const timeouts = run.requests.filter((r) => r.step === 'all-v3' && r.error === 'timeout after 1500ms');
    expect(timeouts.length).toBeGreaterThanOrEqual(5);
    // Given up at the client's timeout, not after the ≥ 5 s the page would have taken.
    for (const r of timeouts) expect(r.latencyMs).toBeLessThan(4500);
    expect(slow.errors.byKind['timeout after 1500ms']).toBe(timeouts.length);
    const gate = slow.gates.find((g) => g.name === 'maxErrorRate')!;
    expect(gate.outcome).toBe('failed');
    expect(run.written.rollback?.outcome).toBe('passed');
  });
});

interface CliRun {
  code: number | null;
  stderr: string;
  reportDir: string;
  /** Whether the weighted step was seen verifying when SIGINT was sent. */
  sent: boolean;
}

/** The real command line, interrupted once the weighted step verifies (its own "settled" line, not the setup's). */
async function interruptMidStep(): Promise<CliRun> {
  const reportDir = await mkdtemp(join(tmpdir(), 'meshproof-sigint-'));
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'meshproof.js'),
      'run',
      plan('fault-sigint'),
      '--target',
      'local',
      '--seed',
      '35',
      '--report-dir',
      reportDir,
    ],
    {
      cwd: root,
      env: { ...process.env, CI: 'true' },
    },
  );
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d) => {
    stderr += d;
    const inStep = stderr.indexOf('▸ step 1/1 split-50');
    if (!sent && inStep >= 0 && stderr.indexOf('settled after', inStep) >= 0) {
      sent = true;
      setTimeout(() => child.kill('SIGINT'), 300);
    }
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return { code, stderr, reportDir, sent };
}

describe('SIGINT through the command line, mid weighted step', () => {
  let run: CliRun;
  beforeAll(async () => {
    run = await interruptMidStep();
  }, 60_000);

  it('stops traffic, rolls back, verifies the rollback, leaves a valid report with every request on file', async () => {
    expect(run.sent, run.stderr).toBe(true);
    expect(run.code, run.stderr).not.toBeNull(); // ended by itself, not by the SIGKILL guard
    expect(run.stderr).toContain('SIGINT');
    const { written, requests } = await readReport(run.reportDir);
    expect(written.partial ?? false).toBe(false);
    const counted = allSteps(written).reduce((n, s) => n + s.requests, 0);
    expect(requests).toHaveLength(counted);
    // The interrupted step sent traffic that is on file, far short of its 50 000 requests.
    const split = requests.filter((r) => r.step === 'split-50');
    expect(split.length).toBeGreaterThan(0);
    expect(split.length).toBeLessThan(50_000);
    expect(step(written, 'split-50').outcome).not.toBe('passed');
    const rollback = written.rollback!;
    expect(rollback.outcome).toBe('passed');
    expect(rollback.applied.map((a) => a.ref)).toEqual(['VirtualService reviews.default']);
    const e = rollback.expectations[0]!;
    expect(e.outcome).toBe('passed');
    expect(Object.keys(e.pods).every((p) => p.startsWith('reviews-v1-'))).toBe(true);
  });

  it('exits 130 with results.json marked interrupted and the cut-short step as an error', async () => {
    const { written } = await readReport(run.reportDir);
    expect(run.code).toBe(130);
    expect(written.interrupted).toBe(true);
    expect(written.exitCode).toBe(130);
    expect(step(written, 'split-50').outcome).toBe('error');
    expect(step(written, 'split-50').message).toContain('interrupted');
  });
});
