/**
 * The start-up section of BENCHMARKS.md (scripts/bench-start.ts): each launcher's `--version` and
 * tutorial beside the goals, where the shipped bundle's tutorial time goes, the builds and the
 * tarball. It sits between two markers, so `npm run bench -- --only-startup` replaces it alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './bench-table.js';
import type { CliRun } from './bench-cli.js';
import { median, medianRun, TUTORIAL_START_GOAL_MS, VERSION_GOAL_MS, type StartBench } from './bench-start.js';

export const BEGIN = '<!-- bench:startup -->';
export const END = '<!-- /bench:startup -->';

const ms = (x: number) => `${Math.round(x)} ms`;
const s2 = (x: number) => `${(x / 1000).toFixed(2)} s`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** `1.84 s (1.80, 1.84, 2.01; exit 0 ×3)`. */
function tutorialCell(runs: CliRun[]): string {
  const codes = [...new Set(runs.map((r) => r.exitCode))].map(
    (c) => `exit ${c} ×${runs.filter((r) => r.exitCode === c).length}`,
  );
  return `${s2(median(runs.map((r) => r.wallMs)))} (${runs.map((r) => s2(r.wallMs)).join(', ')}; ${codes.join(', ')})`;
}

/** Where the median run's time went, from its console lines and results.json. */
export function phasesCell(run: CliRun): string {
  const p = run.phases;
  if (!p || !run.results) return 'phases unreadable (no results.json or console lines)';
  const propagation = run.results.steps.map((s) => ms(s.propagationMs ?? 0)).join(' + ');
  return (
    `start (node, modules, plan) ${ms(p.startMs)} · mesh up, base deployed and settled, setup ${ms(p.upMs)} · ` +
    `${run.results.steps.length} steps ${ms(p.stepsMs)}, of which the simulated propagation ${propagation} · ` +
    `exit (reports closed, mesh stopped) ${ms(p.exitMs)}`
  );
}

export function startupSection(r: StartBench, m: Machine): string {
  const by = Object.fromEntries(r.launchers.map((l) => [l.launcher, l]));
  const [bundle, tsc, tsx] = [by.bundle!, by.tsc!, by.tsx!];
  const version = (l: typeof bundle) => `${ms(median(l.versionMs))} (${l.versionMs.join(', ')})`;
  const bundleTutorial = median(bundle.tutorial.map((t) => t.wallMs));
  const lines = [
    BEGIN,
    '## Start-up: the compiled package beside tsx (`npm run bench -- --only-startup`)',
    '',
    `Generated on ${m.date}: ${m.nproc} CPUs, Node ${m.node}, ${m.scheduling}, 1-minute load average ` +
      `${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end. Median of ${r.rounds}; the three ` +
      'launchers run in turns (A B C A B C …) after one warm-up each, and round i runs the tutorial with ' +
      '`--seed i` for all three, so they see the same machine weather and the same simulated propagation delays.',
    '',
    '| what | bundle: dist/meshproof.js (esbuild, shipped) | tsc output (a file per module) | ' +
      'tsx: bin/meshproof.js (before) | goal | bundle met |',
    '|---|---|---|---|---|---|',
    `| \`meshproof --version\`, spawn to exit | ${version(bundle)} | ${version(tsc)} | ${version(tsx)} | ` +
      `< ${VERSION_GOAL_MS} ms | ${met(median(bundle.versionMs) < VERSION_GOAL_MS)} |`,
    `| \`meshproof tutorial --target local\`, spawn to exit | ${tutorialCell(bundle.tutorial)} | ` +
      `${tutorialCell(tsc.tutorial)} | ${tutorialCell(tsx.tutorial)} | < ${s2(TUTORIAL_START_GOAL_MS)} | ` +
      `${met(bundleTutorial < TUTORIAL_START_GOAL_MS && bundle.tutorial.every((t) => t.exitCode === 0))} |`,
    `| where each launcher's median tutorial run spends its time | ${phasesCell(medianRun(bundle.tutorial))} | ` +
      `${phasesCell(medianRun(tsc.tutorial))} | ${phasesCell(medianRun(tsx.tutorial))} | — | — |`,
    `| build | ${ms(r.buildMs.bundle)} (\`npm run build\`) | ` +
      `${ms(r.buildMs.tsc)} (\`tsc\`, which type-checks as it emits) | ` +
      'none (compiled as it loads) | — | — |',
    '',
    `\`npm pack\`: a tarball of ${kb(r.pack.bytes)}, ${kb(r.pack.unpackedBytes)} unpacked, ${r.pack.files} files ` +
      '(dist/, plans/, manifests/, examples/, schemas/, README.md, LICENSE, package.json); its dependencies are ' +
      'installed from the registry as usual.',
    '',
    'Reproduce: `npm run bench -- --only-startup` (or `npx tsx scripts/bench-start.ts` to print without writing).',
    END,
  ];
  return lines.join('\n');
}

/** Puts the section in place of the old one, or before the first hand-made section when there is none. */
export function writeStartupSection(file: string, section: string): void {
  const text = readFileSync(file, 'utf8');
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  let out: string;
  if (begin >= 0 && end > begin) out = text.slice(0, begin) + section + text.slice(end + END.length);
  else {
    const at = text.indexOf('\n## The kwok target');
    out = at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at)}\n${section}\n${text.slice(at)}`;
  }
  writeFileSync(file, out);
}
