/**
 * The boundary where meshproof runs external binaries (kind, istioctl, docker, tar). Everything
 * that runs a command takes a CommandRunner, so tests fake the binaries at this one seam and the
 * real runner passes arguments as values to zx, which quotes each one: no command line is ever
 * built as a string.
 */
import { $ } from 'zx';
import { CommandError } from './errors.js';

export interface CommandOptions {
  /** Kill the command after this long; the result then has `timedOut: true`. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Text for the command's standard input. */
  input?: string;
  /** Extra environment variables (merged over process.env). */
  env?: Record<string, string>;
  cwd?: string;
}

export interface RunResult {
  /** Exit status; null when killed by a signal or a timeout. 127 when the binary is missing. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

export interface CommandRunner {
  /** Runs `command` with `args`; never throws for a non-zero exit (see `checked`). */
  run(command: string, args: readonly string[], opts?: CommandOptions): Promise<RunResult>;
}

/** The real runner over zx. */
export const zxRunner: CommandRunner = {
  async run(command, args, opts = {}) {
    const started = Date.now();
    const $$ = $({
      quiet: true,
      nothrow: true,
      verbose: false,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
      env: { ...process.env, ...opts.env },
    });
    // zx quotes every interpolated array element: the command and its arguments stay values.
    const out = await $$`${[command, ...args]}`;
    const timedOut = opts.timeoutMs !== undefined && out.exitCode === null && Date.now() - started >= opts.timeoutMs;
    return { exitCode: out.exitCode, stdout: out.stdout, stderr: out.stderr, timedOut };
  },
};

/** Runs and throws a CommandError (exit 3) unless the command exits 0. Returns stdout. */
export async function checked(
  runner: CommandRunner,
  command: string,
  args: readonly string[],
  opts?: CommandOptions & { hint?: string },
): Promise<string> {
  const r = await runner.run(command, args, opts);
  if (r.exitCode === 0) return r.stdout;
  const why = r.timedOut ? `timed out after ${opts?.timeoutMs}ms\n${r.stderr}` : r.stderr || r.stdout;
  throw new CommandError([command, ...args], r.exitCode, why, opts?.hint ? { hint: opts.hint } : undefined);
}
