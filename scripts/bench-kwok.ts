/**
 * Figures of the kwok target for BENCHMARKS.md: the wall time of a warm `meshproof up --target kwok`
 * (control plane already running, Istio and Bookinfo in place) and the peak memory of each control
 * plane process (VmHWM from /proc, so it covers the processes' whole lives so far, the cold up
 * included). Run it after a cold `up`; it leaves the control plane running.
 *
 *   npx tsx scripts/bench-kwok.ts
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths, projectRoot } from '../src/core/paths.js';
import { ControlPlane } from '../src/targets/kwok/control-plane.js';

const cp = new ControlPlane(paths.cache);
const t0 = performance.now();
const up = spawnSync(process.execPath, [join(projectRoot, 'bin', 'meshproof.js'), 'up', '--target', 'kwok'], { encoding: 'utf8' });
const upMs = performance.now() - t0;
if (up.status !== 0) {
  console.error(up.stderr);
  process.exit(1);
}
const state = cp.readState();
if (!state) throw new Error('no control plane state after up');
let total = 0;
const rows: string[] = [];
for (const d of state.daemons) {
  const status = readFileSync(`/proc/${d.pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  total += kb;
  rows.push(`${d.name} ${Math.round(kb / 1024)} MB`);
}
console.log(`warm up --target kwok: ${(upMs / 1000).toFixed(1)} s (exit ${up.status})`);
console.log(`peak RSS (VmHWM) of the control plane processes: ${Math.round(total / 1024)} MB in all — ${rows.join(', ')}`);
