/**
 * Figures of the kwok target for BENCHMARKS.md: a warm `meshproof up --target kwok` (control plane
 * running, Istio and Bookinfo in place; up serves until interrupted, so it is timed to its "press
 * Ctrl-C" line), the tutorial and every shipped plan on kwok beside the local target (wall time and
 * propagationMs per step: on kwok from the apply to the proxies holding what the real istiod
 * pushed, read through the real istioctl), and the peak memory of each control plane process.
 * It starts the control plane when none runs and leaves it running.
 *
 *   npx tsx scripts/bench-kwok.ts [--runs N]
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths, projectRoot } from '../src/core/paths.js';
import { ControlPlane } from '../src/targets/kwok/control-plane/control-plane.js';
import { runCli, type CliRun } from './bench-cli.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;

/** `up` until it says it serves, then Ctrl-C; the time to that line. */
async function warmUp(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'meshproof.js'), 'up', '--target', 'kwok'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/press Ctrl-C/.test(err)) {
        const ms = performance.now() - t0;
        child.kill('SIGINT');
        child.on('exit', () => resolve(ms));
      }
    });
    child.on('exit', (code) =>
      /press Ctrl-C/.test(err) ? undefined : reject(new Error(`up exited ${code}:\n${err}`)),
    );
  });
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const propagation = (r: CliRun) =>
  (r.results?.steps ?? []).map((x) => (x.propagationMs === null ? '–' : `${x.propagationMs} ms`)).join(', ');

function median(xs: CliRun[]): CliRun {
  return [...xs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(xs.length / 2)]!;
}

await warmUp(); // a cold start first, when nothing runs yet; not reported
const upMs = await warmUp();
console.log(`warm up --target kwok, to "press Ctrl-C": ${s(upMs)}`);

for (const target of ['kwok', 'local']) {
  const tut: CliRun[] = [];
  for (let i = 0; i < runs; i++) tut.push(await runCli(['tutorial', '--target', target, '--seed', '1']));
  const m = median(tut);
  console.log(
    `tutorial on ${target}: median ${s(m.wallMs)} of ${runs} (${tut.map((r) => s(r.wallMs)).join(', ')}; ` +
      `exit ${m.exitCode}); up to the first step ${m.phases ? s(m.phases.upMs) : '?'}; ` +
      `propagationMs per step ${propagation(m)}`,
  );
}

const plans = readdirSync(join(projectRoot, 'plans'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
for (const p of plans) {
  const line = [];
  for (const target of ['kwok', 'local']) {
    const r = await runCli(['run', join('plans', p), '--target', target, '--seed', '1']);
    line.push(`${target} ${s(r.wallMs)} exit ${r.exitCode}, propagationMs ${propagation(r)}`);
  }
  console.log(`plans/${p}: ${line.join(' | ')}`);
}

const state = new ControlPlane(paths.cache).readState();
if (!state) throw new Error('no control plane state after up');
let total = 0;
const rows: string[] = [];
for (const d of state.daemons) {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${d.pid}/status`, 'utf8'))?.[1] ?? 0);
  total += kb;
  rows.push(`${d.name} ${Math.round(kb / 1024)} MB`);
}
console.log(
  `peak RSS (VmHWM) of the control plane processes: ${Math.round(total / 1024)} MB in all — ${rows.join(', ')}`,
);
