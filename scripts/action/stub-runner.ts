/**
 * A stubbed GitHub Actions runner for the action's shell steps: a temporary working folder, the
 * files the runner hands a step (GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY, RUNNER_TEMP),
 * and stand-ins for the commands a step calls, first on PATH.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunnerEnv extends Record<string, string> {
  PATH: string;
  HOME: string;
  RUNNER_TEMP: string;
  GITHUB_OUTPUT: string;
  GITHUB_PATH: string;
  GITHUB_STEP_SUMMARY: string;
}

export interface StubRunner {
  /** The step's working folder (the workspace). */
  cwd: string;
  /** Folder of stand-in commands, first on PATH. */
  bin: string;
  env: RunnerEnv;
  /** What the step wrote to GITHUB_OUTPUT, as key → value. */
  outputs(): Promise<Record<string, string>>;
  read(name: 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY'): Promise<string>;
  /** A stand-in command: a bash script. */
  stub(name: string, body: string): Promise<void>;
}

export async function stubRunner(): Promise<StubRunner> {
  const root = await mkdtemp(join(tmpdir(), 'meshproof-action-'));
  const [cwd, bin, temp] = ['workspace', 'stubs', 'runner-temp'].map((d) => join(root, d)) as [string, string, string];
  for (const d of [cwd, bin, temp]) await mkdir(d);
  const env: RunnerEnv = {
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: root,
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: join(root, 'output'),
    GITHUB_PATH: join(root, 'path'),
    GITHUB_STEP_SUMMARY: join(root, 'summary.md'),
  };
  for (const f of [env.GITHUB_OUTPUT, env.GITHUB_PATH, env.GITHUB_STEP_SUMMARY]) await writeFile(f, '');
  return {
    cwd,
    bin,
    env,
    async outputs() {
      const text = await readFile(env.GITHUB_OUTPUT, 'utf8');
      return Object.fromEntries(
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
      );
    },
    read: (name) => readFile(env[name], 'utf8'),
    async stub(name, body) {
      const file = join(bin, name);
      await writeFile(file, `#!/usr/bin/env bash\n${body}\n`);
      await chmod(file, 0o755);
    },
  };
}

export interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of scripts/action/*.sh as the action's step does (`bash <script>`), with only `env` set. */
export function runStep(runner: StubRunner, script: string, env: Record<string, string> = {}): Promise<StepRun> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [join(import.meta.dirname, script)],
      { cwd: runner.cwd, env: { ...runner.env, ...env }, timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
