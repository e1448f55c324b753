/**
 * meshproof's benchmarks, all in one run (`npm run bench`): the sampler against autocannon, the
 * local mesh's overhead, the verifier's requests to a verdict, the CLI's wall time for the
 * tutorial and every shipped plan, and peak memory of a 100,000-request run. Prints a table,
 * writes reports/bench/results.json and regenerates BENCHMARKS.md from what it measured.
 *
 *   npm run bench [-- --verifier-runs 10000] [--soak-requests 100000]
 *
 * `--soak-requests` below 100,000 is a fallback for slow machines and is labelled as one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, getPriority, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchVerifier, type VerifierBenchRow } from './bench-verify.js';
import {
  benchRobustness,
  benchSendCost,
  robustnessBenchRows,
  sendCostBenchRows,
  type RobustnessRow,
} from './bench-robustness.js';
import { benchImperfect, imperfectBenchRows } from './bench-imperfect.js';
import { rateUpperBound } from '../src/verify/binomial.js';
import { benchSampler, type SamplerBench } from './bench-sampler.js';
import { benchMesh, type MeshBench } from './bench-mesh.js';
import {
  benchPlans,
  benchSoak,
  benchTutorial,
  root,
  SOAK_REQUESTS,
  TUTORIAL_GOAL_MS,
  type CliRun,
  type PlanTiming,
  type SoakRun,
  type TutorialTiming,
} from './bench-cli.js';
import { benchReport, type ReportBench } from './bench-report.js';
import { consoleTable, markdown, type BenchRow, type Machine } from './bench-table.js';
import { ratio } from './bench-load.js';
import { DEFAULT_SETTINGS } from '../src/plan/types.js';
import { benchStart } from './bench-start.js';
import { startupSection, writeStartupSection } from './bench-start-table.js';

const BUDGET_S = 300;
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number) => `${Math.round(x * 100)} %`;
const pct2 = (x: number) => `${(x * 100).toFixed(2)} %`;

function samplerRows(s: SamplerBench): BenchRow[] {
  const perRequestUs = (s.meshproofCores.sampler / s.meshproofRps) * 1e6;
  const clientRatio = ratio(s.clientOnlyRps, s.autocannonRps);
  return [
    {
      group: 1,
      what:
        'Sampler (real Sampler + Bookinfo classifier) vs autocannon, GET /productpage, ' +
        `${s.concurrency} connections, same loopback server`,
      measured: `${n(s.meshproofRps)} vs ${n(s.autocannonRps)} req/s = ${s.ratio}`,
      goal: `≥ ${s.goal}`,
      met: s.goalMet,
      limit:
        `the sampler is CPU-bound on one event loop (${s.meshproofCores.sampler} cores; ` +
        `the server ${s.meshproofCores.server}): ${n(perRequestUs)} µs of CPU per request. ` +
        `It classified ${n(s.classified.misses)} of its ${n(s.classified.misses + s.classified.hits)} ` +
        'answers afresh and recognised the rest as byte-identical to an answer already classified, ' +
        'as in any Bookinfo run (one page per reviews pod and user). ' +
        'Worst case, every page different (the server varies the pod name): ' +
        `${n(s.distinctRps)} req/s = ${s.distinctRatio} of autocannon, ` +
        `classifying a ${(s.bodyBytes / 1024).toFixed(1)} KB page costing ${s.classifyMicros} µs. ` +
        "meshproof's HTTP client alone (no sampler, no classifier) " +
        `reaches ${n(s.clientOnlyRps)} req/s = ${clientRatio} of autocannon` +
        (clientRatio < s.goal ? ', so on one core the goal is out of reach even without classifying' : '') +
        `; during autocannon's rounds the server used ${s.autocannonCores.server} cores`,
      reproduce:
        `npx tsx scripts/bench-sampler.ts --concurrency ${s.concurrency} --round-ms ${s.roundMs} --rounds ` +
        `${s.rounds}`,
    },
  ];
}

function meshRows(m: MeshBench): BenchRow[] {
  const p = Object.fromEntries(m.paths.map((x) => [x.name, x]));
  const us = (x: (typeof m.paths)[number]) => (x.meshCores / x.rps) * 1e6;
  const hop = (a: string, b: string) => n(us(p[a]!) - us(p[b]!));
  const args = `--concurrency ${m.concurrency} --round-ms ${m.roundMs} --rounds ${m.rounds}`;
  const reproduce = `npx tsx scripts/bench-mesh.ts ${args}`;
  const pair = (a: string, b: string, what: string, q: number, extra: string): BenchRow => ({
    group: 2,
    what,
    measured: `${n(p[a]!.rps)} vs ${n(p[b]!.rps)} req/s = ${q}`,
    goal: 'none set',
    met: null,
    limit:
      `the mesh process is CPU-bound (${p[a]!.meshCores} and ${p[b]!.meshCores} cores; gateway, ` +
      `pods and sidecars share one event loop): ${n(us(p[a]!))} vs ${n(us(p[b]!))} µs of mesh CPU per ` +
      `request. ${extra}`,
    reproduce,
  });
  return [
    pair(
      'ingress /productpage',
      'direct /productpage',
      `local mesh: GET /productpage through the ingress vs straight to the productpage pod (${m.concurrency} ` +
        'connections)',
      m.productpageRatio,
      `The gateway hop costs ${hop('ingress /productpage', 'direct /productpage')} µs; ` +
        "both paths include productpage's sidecar hops to details and reviews.",
    ),
    pair(
      'ingress /api/v1/products/0/reviews',
      'direct /api/v1/products/0/reviews',
      'local mesh: GET /api/v1/products/0/reviews through the ingress vs straight to the productpage pod',
      m.apiReviewsRatio,
      `The gateway hop costs ${hop('ingress /api/v1/products/0/reviews', 'direct /api/v1/products/0/reviews')} µs.`,
    ),
    pair(
      'direct /api/v1/products/0/reviews',
      'reviews pod /reviews/0',
      'local mesh: productpage + its sidecar hop (/api/v1/products/0/reviews on the productpage pod) ' +
        'vs the reviews pod alone (/reviews/0)',
      m.sidecarHopRatio,
      `Against the reviews pod alone the client is the bottleneck (${p['reviews pod /reviews/0']!.clientCores} cores).`,
    ),
  ];
}

function verifierRows(rows: VerifierBenchRow[], runs: number): BenchRow[] {
  return rows.map((r) => {
    const f = r.exact ?? {
      meanRequests: r.meanRequests,
      p95Requests: r.p95Requests,
      falseFailRate: r.falseFailRate,
      falsePassRate: r.falsePassRate,
    };
    const upper = (x: number) =>
      r.exact ? '' : ` (≤ ${pct2(rateUpperBound(Math.round(x * r.runs), r.runs))} at 95 %)`;
    const how = r.exact ? 'exact' : `Monte Carlo, ${n(runs)} runs`;
    const below = r.goalMeanRequests !== null && r.bestPossibleMeanRequests > r.goalMeanRequests;
    const limit =
      r.kind === 'exact'
        ? `${r.fixedSampleSize} clean responses are the fewest that keep a ${pct(DEFAULT_SETTINGS.tolerance)} ` +
          `misroute under alpha = ${r.alpha}: the minimum any test can do, failing on one sighting; the stray ` +
          'test takes a few more so that a misread page does not fail a correct split (src/verify/strays.ts)'
        : `any test with both guarantees needs a mean of at least ${r.bestPossibleMeanRequests} requests here ` +
          '(lower bound, src/verify/simulation/lower-bound.ts)' +
          (below ? `, above the goal of ${r.goalMeanRequests}: the goal is unreachable` : '') +
          `; this test is ${pct(f.meanRequests / r.bestPossibleMeanRequests - 1)} above that bound`;
    return {
      group: 3,
      what: `verifier: requests to a verdict, target ${r.split}${r.kind === 'exact' ? ' (exact)' : ''}`,
      measured:
        `mean ${f.meanRequests}, p95 ${f.p95Requests} (${how}); lower bound ${r.bestPossibleMeanRequests}; ` +
        `fixed-sample test with the same guarantees: ${r.fixedSampleSize}; ` +
        `false fail ${pct2(f.falseFailRate)}${upper(f.falseFailRate)}, ` +
        `false pass ${pct2(f.falsePassRate)}${upper(f.falsePassRate)} (alpha ${r.alpha})`,
      goal: r.goalMeanRequests === null ? 'none set' : `mean ≤ ${r.goalMeanRequests}`,
      met: r.goalMet,
      limit,
      reproduce: `npx tsx scripts/bench-verify.ts --runs ${runs}`,
    };
  });
}

function phasesText(r: CliRun): string {
  const ph = r.phases;
  const rss = r.peakRssMb === null ? '' : `; peak RSS ${r.peakRssMb} MB`;
  if (!ph || !r.results) return `phases unreadable (no results.json or console lines)${rss}`;
  const steps = r.results.steps.length;
  return (
    `start (node, tsx, modules, plan) ${s1(ph.startMs)} · mesh up, ingress, ` +
    `setup ${s1(ph.upMs)} · ${steps} step${steps === 1 ? '' : 's'} ${s1(ph.stepsMs)}, ` +
    `of which waiting for proxies to take new config ${s1(ph.propagationMs)} · exit ${s1(ph.exitMs)}${rss}`
  );
}

function cliRows(t: TutorialTiming, plans: PlanTiming[]): BenchRow[] {
  const tut = t.median;
  const goal = `≤ ${s1(TUTORIAL_GOAL_MS)}`;
  const reproduce = `/usr/bin/time -f '%e s %M KB' node bin/meshproof.js tutorial --target local`;
  return [
    {
      group: 4,
      what: `tutorial on the local target, wall clock from spawn to exit (median of ${t.wallMs.length} runs)`,
      measured: `${s1(tut.wallMs)} (runs: ${t.wallMs.map(s1).join(', ')}; exit ${tut.exitCode})`,
      goal,
      met: tut.exitCode === 0 && tut.wallMs <= TUTORIAL_GOAL_MS,
      limit: phasesText(tut),
      reproduce,
    },
    {
      group: 4,
      what: "tutorial, first run after install (tsx's transform cache off)",
      measured: `${s1(t.cold.wallMs)} (exit ${t.cold.exitCode})`,
      goal,
      met: t.cold.exitCode === 0 && t.cold.wallMs <= TUTORIAL_GOAL_MS,
      limit: phasesText(t.cold),
      reproduce: `TSX_DISABLE_CACHE=1 ${reproduce}`,
    },
    ...plans.map((p) => ({
      group: 4,
      what: `plans/${p.plan}.yaml on the local target`,
      measured:
        `${s1(p.wallMs)} (exit ${p.exitCode}` +
        `${p.exitCode === p.expectedExit ? ', as written' : `, expected ${p.expectedExit}`}; ` +
        `${n(p.results?.steps.reduce((a, s) => a + s.requests, 0) ?? 0)} requests)`,
      goal: 'none set',
      met: p.exitCode === p.expectedExit ? null : false,
      limit: phasesText(p),
      reproduce: p.command,
    })),
  ];
}

function memoryRows(soak: SoakRun, tutorial: CliRun, report: ReportBench): BenchRow[] {
  // The tutorial's peak is what a run costs before it sends many requests.
  const label = soak.fallback ? ` (FALLBACK: ${n(soak.requests)} requests, not 100,000)` : '';
  return [
    {
      group: 5,
      what:
        `peak RSS of a ${n(soak.requests)}-request run through the CLI (fixed sample, concurrency 64, ` +
        `local target) writing requests.ndjson${label}`,
      measured:
        `${soak.peakRssMb ?? '?'} MB (${soak.rssSource ?? 'not measured'}); ` +
        `requests.ndjson ${n(soak.ndjsonLines)} lines (${soak.ndjsonMb} MB)` +
        `${soak.ndjsonLines >= soak.requests ? '' : ' — FEWER LINES THAN REQUESTS'}; ` +
        `${s1(soak.wallMs)} wall, ${soak.requestsPerSecond ? `${n(soak.requestsPerSecond)} req/s` : 'rate unknown'}; ` +
        `exit ${soak.exitCode}`,
      goal: `< ${soak.goalMb} MB`,
      met: soak.withinGoal === null ? null : soak.withinGoal && soak.ndjsonLines >= soak.requests && !soak.fallback,
      limit:
        `a tutorial run already peaks at ${tutorial.peakRssMb ?? '?'} MB (node, tsx's loader, every module, ` +
        `the mesh), which leaves ${tutorial.peakRssMb ? soak.goalMb - tutorial.peakRssMb : '?'} MB for the ` +
        'run itself; ' +
        `the rest is V8's heap under ~${soak.requestsPerSecond ? n(soak.requestsPerSecond) : '?'} req/s of ` +
        'allocation in one process (mesh, sampler, classifier, reporters). ' +
        'A step keeps ~21 bytes per request (typed columns), ' +
        'and the launcher lets the heap grow 30 % over the live set between full collections ' +
        "(V8's own choice, up to 4x, puts this run at ~250 MB; MESHPROOF_HEAP_GROWTH_PERCENT=0 restores it). " +
        `The reporters alone peak at ${report.peakRssMb} MB for ${n(report.requests)} requests (next row)`,
      reproduce:
        "/usr/bin/time -f '%M KB' node bin/meshproof.js run scripts/bench-plans/soak-100k.yaml --target local " +
        '--seed 1 --report-dir /tmp/soak && wc -l /tmp/soak/requests.ndjson',
    },
    {
      group: 5,
      what:
        `reporters alone: ${n(report.requests)} synthetic request events through the requests.ndjson writer, ` +
        'then index.html rendered',
      measured: `${report.peakRssMb} MB; ndjson ${report.ndjsonMb} MB, html ${report.htmlKb} KB, ${s1(report.ms)}`,
      goal: `< ${report.goalMb} MB`,
      met: report.withinGoal,
      limit:
        `the reporters write as they go; their peak is not what puts the ${n(soak.requests)}-request run at ` +
        `${soak.peakRssMb ?? '?'} MB`,
      reproduce: 'npx tsx scripts/bench-report.ts',
    },
  ];
}

function machine(loadStart: number): Machine {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: { start: loadStart, end: round2(loadavg()[0]!) },
    scheduling: scheduling(),
  };
}

/** The policy and nice value this process runs with (children inherit both), so a reader knows. */
function scheduling(): string {
  const policies: Record<string, string> = {
    '0': 'SCHED_OTHER',
    '1': 'SCHED_FIFO',
    '2': 'SCHED_RR',
    '3': 'SCHED_BATCH',
    '5': 'SCHED_IDLE',
  };
  let policy = 'unknown policy';
  try {
    // Field 41 of /proc/self/stat; fields after the command name start at field 3.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    policy = policies[fields[38]!] ?? `policy ${fields[38]}`;
  } catch {
    // not Linux
  }
  return `${policy}, nice ${getPriority()}`;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} needs a positive integer (got ${process.argv[at + 1]})`);
  return v;
}

async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  process.stderr.write(`bench: ${label} …`);
  const r = await fn();
  process.stderr.write(` ${s1(performance.now() - started)}\n`);
  return r;
}

async function main(): Promise<void> {
  const verifierRuns = flag('--verifier-runs', 20_000);
  if (process.argv.includes('--only-verifier')) return onlyVerifier(verifierRuns);
  if (process.argv.includes('--only-startup')) return onlyStartup();
  const soakRequests = flag('--soak-requests', SOAK_REQUESTS);
  const loadStart = round2(loadavg()[0]!);
  const started = performance.now();
  const sampler = await timed('1 sampler vs autocannon', () => benchSampler(8, 2_000, 6));
  const mesh = await timed('2 local mesh overhead', () => benchMesh(8, 1_000, 3));
  const verifier = await timed(`3 verifier (${n(verifierRuns)} Monte Carlo runs per case)`, () =>
    benchVerifier({ runs: verifierRuns }),
  );
  const robustness = await timed(`3 verifier as run (${n(verifierRuns)} Monte Carlo runs per case)`, () =>
    benchRobustness(verifierRuns),
  );
  const imperfect = await timed(`3 verifier on imperfect answers (${n(verifierRuns)} runs per case)`, () =>
    benchImperfect(verifierRuns),
  );
  const sendCost = await timed('3 requests sent per verdict under concurrency', () => benchSendCost(verifierRuns));
  const tutorial = await timed('4 tutorial (3 runs, then one with a cold tsx cache)', () => benchTutorial(3));
  const plans = await timed('4 every plan in plans/', () => benchPlans());
  const soak = await timed(`5 ${n(soakRequests)}-request run`, () => benchSoak(soakRequests));
  const report = await timed('5 reporters alone', () => benchReport());
  const startup = await timed('start-up: bundle, tsc output and tsx (5 rounds)', () => benchStart(5));
  const totalSeconds = Math.round((performance.now() - started) / 1000);

  const rows = [
    ...samplerRows(sampler),
    ...meshRows(mesh),
    ...verifierRows(verifier, verifierRuns),
    ...robustnessBenchRows(robustness, verifierRuns),
    ...sendCostBenchRows(sendCost, verifierRuns),
    ...imperfectBenchRows(imperfect, verifierRuns),
    ...cliRows(tutorial, plans),
    ...memoryRows(soak, tutorial.median, report),
  ];
  const m = machine(loadStart);
  console.log(
    `\n${m.date} · ${m.nproc} CPUs (${m.cpu}) · Node ${m.node} · ${m.scheduling} · load ` +
      `${m.loadAverage.start} → ${m.loadAverage.end} · ${totalSeconds} s\n`,
  );
  console.log(consoleTable(rows));
  if (totalSeconds > BUDGET_S) console.log(`\nthe benchmark took ${totalSeconds} s, over its ${BUDGET_S} s budget`);

  const dir = join(root, 'reports', 'bench');
  await mkdir(dir, { recursive: true });
  const raw = { sampler, mesh, verifier, robustness, sendCost, imperfect, tutorial, plans, soak, report, startup };
  await writeFile(
    join(dir, 'results.json'),
    `${JSON.stringify({ machine: m, totalSeconds, budgetSeconds: BUDGET_S, rows, raw }, null, 2)}\n`,
  );
  await writeFile(join(root, 'BENCHMARKS.md'), markdown(rows, m, totalSeconds, notes(sampler, mesh, verifierRuns)));
  writeStartupSection(join(root, 'BENCHMARKS.md'), startupSection(startup, m));
  console.log(`\nwrote reports/bench/results.json and BENCHMARKS.md`);
}

/** `npm run bench -- --only-startup`: the start-up section of BENCHMARKS.md alone (scripts/bench-start.ts). */
async function onlyStartup(): Promise<void> {
  const loadStart = round2(loadavg()[0]!);
  const startup = await timed('start-up: bundle, tsc output and tsx (5 rounds)', () => benchStart(5));
  const section = startupSection(startup, machine(loadStart));
  console.log(section);
  writeStartupSection(join(root, 'BENCHMARKS.md'), section);
  console.log('\nreplaced the start-up section of BENCHMARKS.md');
}

/**
 * `npm run bench -- --only-verifier`: reruns rows 3 alone (CPU only, no timing-sensitive rows) and
 * puts them into BENCHMARKS.md in place of the old ones, saying when and where they were made.
 */
async function onlyVerifier(runs: number): Promise<void> {
  const loadStart = round2(loadavg()[0]!);
  const started = performance.now();
  const verifier = await timed(`3 verifier (${n(runs)} Monte Carlo runs per case)`, () => benchVerifier({ runs }));
  const robustness: RobustnessRow[] = await timed(`3 verifier as run (${n(runs)} Monte Carlo runs per case)`, () =>
    benchRobustness(runs),
  );
  const sendCost = await timed('3 requests sent per verdict under concurrency', () => benchSendCost(runs));
  const imperfect = await timed(`3 verifier on imperfect answers (${n(runs)} runs per case)`, () =>
    benchImperfect(runs),
  );
  const rows = [
    ...verifierRows(verifier, runs),
    ...robustnessBenchRows(robustness, runs),
    ...sendCostBenchRows(sendCost, runs),
    ...imperfectBenchRows(imperfect, runs),
  ];
  const m = machine(loadStart);
  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(consoleTable(rows));
  const file = join(root, 'BENCHMARKS.md');
  const lines = readFileSync(file, 'utf8').split('\n');
  const first = lines.findIndex((l) => l.startsWith('| 3 |'));
  if (first < 0) throw new Error('BENCHMARKS.md has no rows 3 to replace: run the whole benchmark');
  const table = markdown(rows, m, seconds, [])
    .split('\n')
    .filter((l) => l.startsWith('| 3 |'));
  const kept = lines.filter((l, i) => !l.startsWith('| 3 |') || i < first);
  kept.splice(first, kept[first]?.startsWith('| 3 |') ? 1 : 0, ...table);
  const stamp =
    `Rows 3 were rerun alone on ${m.date} (\`npm run bench -- --only-verifier\`, ${seconds} s, ` +
    `${m.scheduling}, load ${m.loadAverage.start} → ${m.loadAverage.end}); ` +
    'the other rows are from the run above.';
  const at = kept.findIndex((l) => l.startsWith('Rows 3 were rerun alone'));
  if (at >= 0) kept[at] = stamp;
  else kept.splice(kept.findIndex((l) => l.startsWith('Rerunning regenerates')) + 1, 0, stamp);
  const note = notes(null, null, runs).find((l) => l.startsWith('Row 3'))!;
  const noteAt = kept.findIndex((l) => l.startsWith('- Row 3'));
  if (noteAt >= 0) kept[noteAt] = `- ${note}`;
  writeFileSync(file, kept.join('\n'));
  console.log(`\nreplaced rows 3 of BENCHMARKS.md`);
}

function notes(s: SamplerBench | null, m: MeshBench | null, runs: number): string[] {
  if (!s || !m) return [verifierNote(runs)];
  return [
    'Throughput rows (1, 2) run their contenders in turns: a warm-up each, ' +
      `then ${s.rounds} rounds of ${s1(s.roundMs)} (row 1) and ${m.rounds} rounds of ${s1(m.roundMs)} (row 2) ` +
      'each, A B C A B C …; a rate is total requests over total time, ' +
      'so every contender sees the same machine weather and only the ratios compare.',
    'Row 1: the server is a plain node http server in its own process answering every request with the ' +
      `/productpage HTML (${(s.bodyBytes / 1024).toFixed(1)} KB) ` +
      'that the Bookinfo stand-ins render (productpage calling details and reviews v3, ' +
      'reviews v3 calling ratings). autocannon runs in its own process in duration mode; ' +
      "the Sampler runs in the benchmark's process and every answer must classify as reviews v3 with stars. " +
      'The worst-case contender asks for /productpage?distinct, ' +
      'which the server answers with the same page under a different reviews pod name each time, ' +
      'so the sampler never sees a page twice.',
    'Cores are CPU seconds per second of a round, from process.cpuUsage() ' +
      'for the benchmark process and /proc/<pid>/stat for the others.',
    'Row 2: the local target runs in its own process (seed 1, no propagation delay) ' +
      'with destination-rule-all and virtual-service-all-v1 applied; ' +
      '"straight to the pod" is the pod\'s own loopback address, which skips the gateway; ' +
      "the pod's own outbound calls still go through its sidecar. The client is meshproof's IngressClient, " +
      'reading every body.',
    verifierNote(runs),
    'Rows 4 and 5: `node bin/meshproof.js …` spawned from the repository root with its report in a ' +
      'temporary folder, wall clock from spawn to exit; ' +
      "peak RSS is GNU time's %M for that process (or VmHWM polled from /proc when GNU time is missing). " +
      'Phases come from the arrival time of the console lines and from results.json.',
    'Row 5: scripts/bench-plans/soak-100k.yaml, ' +
      'one step with one fixed-sample expectation of 100,000 requests at concurrency 64; ' +
      'the reporters-alone row is scripts/bench-report.ts.',
  ];
}

function verifierNote(runs: number): string {
  return (
    'Row 3: exact figures (dynamic programming over every path, src/verify/exact-rates.ts) ' +
    `where the target has two outcomes, Monte Carlo with ${n(runs)} seeded runs otherwise, ` +
    'each Monte Carlo rate with its one-sided 95 % Clopper–Pearson upper bound; alpha 0.01, tolerance 0.1, ' +
    'maxRequests 3000 (the defaults). The fixed-sample size is the one test peers run that keeps both error ' +
    'rates under alpha; the lower bound is the least mean any test with both guarantees can reach. ' +
    'The "verifier as run" rows (scripts/bench-robustness.ts) put the check where the tool puts it: ' +
    'a simulated concurrent sampler (src/verify/simulation/simulate-stream.ts), unreadable answers, ' +
    'splits that move (exact), settling by traffic (src/verify/simulation/simulate-settle.ts), ' +
    'and what lint now refuses beside the rate it had when accepted: shares below the tolerance ' +
    '(src/plan/small-shares.ts) and budgets a correct split outlasts (src/verify/undecided-rate.ts). ' +
    'The "verifier on imperfect answers" rows (scripts/bench-imperfect.ts) feed it what real pages do: ' +
    'a config landing late while settling, degraded and misread pages, unreadable answers, a split ' +
    'that moves late; "before" is the rule each construction replaced (the single-sighting rule, a ' +
    'fixed 1 % unreadable gate, a settling run sized for one window).'
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
