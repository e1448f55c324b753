/** Runs the real command line as a user would, and reads back what it wrote. */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResults } from '../src/model/results.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The target the e2e suites walk: local unless MESHPROOF_TARGET says otherwise. */
export const target = process.env.MESHPROOF_TARGET ?? 'local';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  reportDir: string;
  ms: number;
}

export interface CliOptions {
  timeoutMs?: number;
  onSpawn?: (pid: number) => void;
  /** Added to the environment. */
  env?: Record<string, string>;
  /** Sees stderr as it arrives (all of it so far). */
  onStderr?: (sofar: string) => void;
  /** Leave --report-dir out: the run picks its own folder (under MESHPROOF_REPORTS_DIR, say). */
  defaultReportDir?: boolean;
}

export async function meshproof(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const reportDir = await mkdtemp(join(tmpdir(), 'meshproof-e2e-'));
  const started = Date.now();
  const extra = args.includes('--report-dir') || opts.defaultReportDir ? [] : ['--report-dir', reportDir];
  const child = spawn(process.execPath, [join(root, 'bin', 'meshproof.js'), ...args, ...extra], {
    cwd: root,
    env: { ...process.env, CI: 'true', ...opts.env },
  });
  opts.onSpawn?.(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    opts.onStderr?.(stderr);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, reportDir, ms: Date.now() - started };
}

export async function results(run: CliRun): Promise<RunResults> {
  return JSON.parse(await readFile(join(run.reportDir, 'results.json'), 'utf8')) as RunResults;
}
