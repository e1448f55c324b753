/**
 * Start-up of the command as each launcher runs it: the esbuild bundle the package ships
 * (dist/meshproof.js), tsc's output of the same sources (one file per module), and the sources
 * through tsx (bin/meshproof.js, how the command ran before it was compiled). `--version` and the
 * tutorial on the local target, the launchers in turns (A B C A B C …), each round with its own
 * seed shared by all three, so they see the same machine weather and the same propagation delays.
 *
 *   npx tsx scripts/bench-start.ts [--rounds N]     (or npm run bench -- --only-startup)
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { root, runCli, type CliRun } from './bench-cli.js';

const exec = promisify(execFile);

export const VERSION_GOAL_MS = 150;
export const TUTORIAL_START_GOAL_MS = 1_500;

export type Launcher = 'bundle' | 'tsc' | 'tsx';

export interface LauncherTiming {
  launcher: Launcher;
  entry: string;
  versionMs: number[];
  tutorial: CliRun[];
}

export interface StartBench {
  rounds: number;
  launchers: LauncherTiming[];
  /** `npm pack`: the tarball and the files in it. */
  pack: { bytes: number; unpackedBytes: number; files: number };
  /** How long each build took. */
  buildMs: { bundle: number; tsc: number };
}

/** The bundle in dist/ (npm run build) and tsc's output in a temporary package folder beside the repository's files. */
async function builds(work: string): Promise<{ entries: Record<Launcher, string>; buildMs: StartBench['buildMs'] }> {
  let t = performance.now();
  await exec(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root });
  const bundle = performance.now() - t;
  const config = join(work, 'tsconfig.json');
  await writeFile(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        rootDir: join(root, 'src'),
        outDir: join(work, 'dist'),
        typeRoots: [join(root, 'node_modules', '@types')],
      },
      include: [join(root, 'src')],
      exclude: [join(root, 'src/**/*.test.ts'), join(root, 'src/**/testing/**'), join(root, 'src/verify/simulation')],
    }),
  );
  t = performance.now();
  await exec(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: root });
  const tsc = performance.now() - t;
  // The package root the code looks for: meshproof's package.json with plans/, manifests/ and schemas/ beside it.
  for (const f of ['package.json', 'plans', 'manifests', 'schemas', 'node_modules'])
    await symlink(join(root, f), join(work, f));
  return {
    entries: { bundle: 'dist/meshproof.js', tsc: join(work, 'dist', 'cli', 'bin.js'), tsx: 'bin/meshproof.js' },
    buildMs: { bundle: Math.round(bundle), tsc: Math.round(tsc) },
  };
}

/** Wall clock of `node <entry> --version`, spawn to exit. */
async function versionMs(entry: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry, '--version'], { cwd: root, stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`node ${entry} --version exited ${code}`);
  return Math.round(performance.now() - started);
}

async function packSize(): Promise<StartBench['pack']> {
  const { stdout } = await exec('npm', ['pack', '--dry-run', '--json'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const [info] = JSON.parse(stdout) as { size: number; unpackedSize: number; entryCount: number }[];
  if (!info) throw new Error('npm pack --dry-run --json printed no package');
  return { bytes: info.size, unpackedBytes: info.unpackedSize, files: info.entryCount };
}

export async function benchStart(rounds = 5): Promise<StartBench> {
  const work = await mkdtemp(join(tmpdir(), 'meshproof-bench-start-'));
  try {
    const { entries, buildMs } = await builds(work);
    const launchers: LauncherTiming[] = (['bundle', 'tsc', 'tsx'] as const).map((launcher) => ({
      launcher,
      entry: entries[launcher],
      versionMs: [],
      tutorial: [],
    }));
    // One warm-up each: the first start after a build reads every file from disk.
    for (const l of launchers) await versionMs(l.entry);
    for (let round = 0; round < rounds; round++) {
      for (const l of launchers) l.versionMs.push(await versionMs(l.entry));
      for (const l of launchers)
        l.tutorial.push(
          await runCli(['tutorial', '--target', 'local', '--seed', String(round + 1)], { entry: l.entry }),
        );
    }
    return { rounds, launchers, pack: await packSize(), buildMs };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The run whose wall time is the median. */
export function medianRun(runs: CliRun[]): CliRun {
  return [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(runs.length / 2)]!;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--rounds');
  const r = await benchStart(at < 0 ? 5 : Number(process.argv[at + 1]));
  for (const l of r.launchers)
    console.log(
      `${l.launcher}: --version ${median(l.versionMs)} ms (${l.versionMs.join(', ')}); tutorial ` +
        `${median(l.tutorial.map((t) => t.wallMs))} ms (${l.tutorial.map((t) => `${t.wallMs}/${t.exitCode}`)})`,
    );
  console.log(
    `tarball ${r.pack.bytes} B, unpacked ${r.pack.unpackedBytes} B, ${r.pack.files} files; builds`,
    r.buildMs,
  );
}
