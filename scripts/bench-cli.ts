/**
 * The CLI as a user runs it: `node bin/meshproof.js …` in a child process, wall clock from spawn
 * to exit, peak RSS of that process, and where the time went (read from the console lines'
 * arrival times and the run's results.json).
 *
 *   npx tsx scripts/bench-cli.ts [tutorial|plans|soak] [--soak-requests N]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(fileURLToPath(import.meta.url), '..', '..');
export const TUTORIAL_GOAL_MS = 5_000;
export const SOAK_RSS_GOAL_MB = 200;
export const SOAK_REQUESTS = 100_000;
const GNU_TIME = '/usr/bin/time';

export interface CliRun {
  /** The command as a user types it (from the repository root). */
  command: string;
  exitCode: number | null;
  wallMs: number;
  /** Peak resident set of the meshproof process, from GNU time's %M or /proc VmHWM polling. */
  peakRssMb: number | null;
  rssSource: 'gnu-time' | 'vmhwm' | null;
  /** Where the wall time went; null where the console lines could not be read. */
  phases: Phases | null;
  results: {
    outcome: string;
    durationMs: number;
    steps: { name: string; durationMs: number; propagationMs: number | null; requests: number }[];
  } | null;
  reportDir: string;
}

export interface Phases {
  /** Spawn to the run's first console line: node and tsx start, modules load, the plan is read. */
  startMs: number;
  /** Run start to the first step: the mesh comes up, the ingress answers, the setup settles. */
  upMs: number;
  /** Steps (and rollback): apply, settle, verify. */
  stepsMs: number;
  /** Waiting for proxies to hold new config (propagation delays plus polling), summed over steps. */
  propagationMs: number;
  /** Last console line to process exit: reports closed, mesh stopped. */
  exitMs: number;
}

/** Runs `node bin/meshproof.js <args>` (or `opts.entry`) from the repository root and measures it. */
export async function runCli(
  args: string[],
  opts: { reportDir?: string; keepReport?: boolean; env?: Record<string, string>; entry?: string } = {},
): Promise<CliRun> {
  const reportDir = opts.reportDir ?? (await mkdtemp(join(tmpdir(), 'meshproof-bench-')));
  // The launcher: the sources through tsx unless another entry (dist/meshproof.js, say) is given.
  const cliArgs = [opts.entry ?? 'bin/meshproof.js', ...args, '--report-dir', reportDir];
  const gnuTime = existsSync(GNU_TIME);
  const rssFile = join(reportDir, '..', `${basename(reportDir)}.rss`);
  // GNU time waits for its child and prints that child's peak RSS; node itself is the child, so
  // the figure is meshproof's own process and not the benchmark's.
  const [cmd, argv] = gnuTime
    ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...cliArgs]]
    : [process.execPath, cliArgs];
  const started = performance.now();
  const child = spawn(cmd, argv, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let hwm = 0;
  const poller = gnuTime ? undefined : setInterval(() => (hwm = Math.max(hwm, vmHwmKb(child.pid))), 50);
  const lines: { at: number; text: string }[] = [];
  createInterface({ input: child.stderr }).on('line', (text) => lines.push({ at: performance.now() - started, text }));
  const [code] = (await once(child, 'exit')) as [number | null];
  const wallMs = performance.now() - started;
  clearInterval(poller);
  const peakKb: number | null = gnuTime
    ? Number((await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n').pop()) || null
    : hwm || null;
  if (gnuTime) await rm(rssFile, { force: true });
  const results = await readResults(reportDir);
  const run: CliRun = {
    command: `node ${cliArgs.slice(0, -2).join(' ')}`,
    exitCode: code,
    wallMs: Math.round(wallMs),
    peakRssMb: peakKb === null ? null : Math.round(peakKb / 1024),
    rssSource: peakKb === null ? null : gnuTime ? 'gnu-time' : 'vmhwm',
    phases: phasesOf(lines, wallMs, results),
    results,
    reportDir,
  };
  if (!opts.keepReport) await rm(reportDir, { recursive: true, force: true });
  return run;
}

/** VmHWM (peak RSS, KiB) of a process, 0 once it is gone. Linux only. */
function vmHwmKb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function readResults(dir: string): Promise<CliRun['results']> {
  try {
    const r = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as {
      outcome: string;
      durationMs: number;
      steps: { name: string; durationMs: number; propagationMs: number | null; requests: number }[];
      rollback: { name: string; durationMs: number; propagationMs: number | null; requests: number } | null;
    };
    const steps = [...r.steps, ...(r.rollback ? [r.rollback] : [])].map((s) => ({
      name: s.name,
      durationMs: s.durationMs,
      propagationMs: s.propagationMs,
      requests: s.requests,
    }));
    return { outcome: r.outcome, durationMs: r.durationMs, steps };
  } catch {
    return null;
  }
}

/** From the console: the plan header line opens the run, `▸ step` lines open steps. */
function phasesOf(lines: { at: number; text: string }[], wallMs: number, results: CliRun['results']): Phases | null {
  const runStart = lines.find((l) => l.text.startsWith('meshproof: plan '));
  const firstStep = lines.find((l) => /^▸ (step|rollback)/.test(l.text));
  const last = lines.at(-1);
  if (!runStart || !firstStep || !last || !results) return null;
  return {
    startMs: Math.round(runStart.at),
    upMs: Math.round(firstStep.at - runStart.at),
    stepsMs: Math.round(results.steps.reduce((n, s) => n + s.durationMs, 0)),
    propagationMs: Math.round(results.steps.reduce((n, s) => n + (s.propagationMs ?? 0), 0)),
    exitMs: Math.round(wallMs - last.at),
  };
}

export interface PlanTiming extends CliRun {
  plan: string;
  /** Exit code the plan is written to end with (failing-canary must fail). */
  expectedExit: number;
}

export interface TutorialTiming {
  /** The run with the median wall time, and every run's wall time. */
  median: CliRun;
  wallMs: number[];
  /** One more run with tsx's transform cache off: a first run right after `npm ci`. */
  cold: CliRun;
}

/** The tutorial exactly as the README tells a user to run it, `times` times. */
export async function benchTutorial(times = 3): Promise<TutorialTiming> {
  const runs: CliRun[] = [];
  for (let i = 0; i < times; i++) runs.push(await runCli(['tutorial', '--target', 'local']));
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const cold = await runCli(['tutorial', '--target', 'local'], { env: { TSX_DISABLE_CACHE: '1' } });
  return { median: sorted[Math.floor(sorted.length / 2)]!, wallMs: runs.map((r) => r.wallMs), cold };
}

/** Every plan in plans/, one after the other, with a fixed seed. */
export async function benchPlans(): Promise<PlanTiming[]> {
  const files = (await readdir(join(root, 'plans'))).filter((f) => f.endsWith('.yaml')).sort();
  const out: PlanTiming[] = [];
  for (const f of files) {
    const run = await runCli(['run', `plans/${f}`, '--target', 'local', '--seed', '1']);
    out.push({ ...run, plan: f.replace(/\.yaml$/, ''), expectedExit: f.startsWith('failing-') ? 1 : 0 });
  }
  return out;
}

export interface SoakRun extends CliRun {
  requests: number;
  /** Lines in requests.ndjson: one per request sent, settling requests included. */
  ndjsonLines: number;
  ndjsonMb: number;
  goalMb: number;
  withinGoal: boolean | null;
  /** True when run with fewer than 100,000 requests: a fallback, not the figure the goal is about. */
  fallback: boolean;
  requestsPerSecond: number | null;
}

/** The soak plan (scripts/bench-plans/soak-100k.yaml) through the CLI; a smaller count only when asked. */
export async function benchSoak(requests = SOAK_REQUESTS): Promise<SoakRun> {
  let plan = join(root, 'scripts', 'bench-plans', 'soak-100k.yaml');
  if (requests !== SOAK_REQUESTS) {
    const text = (await readFile(plan, 'utf8')).replace(/requests: 100000/, `requests: ${requests}`);
    plan = join(root, 'scripts', 'bench-plans', `.soak-${requests}.yaml`);
    await writeFile(plan, text);
  }
  try {
    const run = await runCli(['run', plan.slice(root.length + 1), '--target', 'local', '--seed', '1'], {
      keepReport: true,
    });
    const ndjson = join(run.reportDir, 'requests.ndjson');
    const ndjsonLines = existsSync(ndjson) ? await countLines(ndjson) : 0;
    const ndjsonMb = existsSync(ndjson) ? Math.round((statSync(ndjson).size / 2 ** 20) * 10) / 10 : 0;
    await rm(run.reportDir, { recursive: true, force: true });
    const verifyMs = run.results?.steps[0]
      ? run.results.steps[0].durationMs - (run.results.steps[0].propagationMs ?? 0)
      : null;
    return {
      ...run,
      requests,
      ndjsonLines,
      ndjsonMb,
      goalMb: SOAK_RSS_GOAL_MB,
      withinGoal: run.peakRssMb === null ? null : run.peakRssMb < SOAK_RSS_GOAL_MB,
      fallback: requests < SOAK_REQUESTS,
      requestsPerSecond: verifyMs ? Math.round(requests / (verifyMs / 1000)) : null,
    };
  } finally {
    if (requests !== SOAK_REQUESTS) await rm(plan, { force: true });
  }
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file)) for (const b of chunk as Buffer) if (b === 10) n++;
  return n;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const what = process.argv[2] ?? 'tutorial';
  const at = process.argv.indexOf('--soak-requests');
  const r =
    what === 'plans'
      ? await benchPlans()
      : what === 'soak'
        ? await benchSoak(at > 0 ? Number(process.argv[at + 1]) : SOAK_REQUESTS)
        : await benchTutorial();
  console.log(JSON.stringify(r, null, 2));
}
