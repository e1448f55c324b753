/**
 * Error classes that carry an exit code. Every layer wraps what it catches with a message that
 * says what it was doing ("failed to apply VirtualService reviews.default"), keeping the original
 * as `cause`; the CLI maps the outermost class to an exit code.
 */

/** Exit codes of the command line (docs/architecture.md, Report files). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  environment: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Where in a file a problem sits. Lines are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the field, e.g. `steps[1].route.weights.v3`. */
  field?: string;
}

export function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.column !== undefined) s += `:${loc.column}`;
  if (loc.field) s += ` (${loc.field})`;
  return s;
}

export class MeshproofError extends Error {
  readonly exitCode: ExitCode = ExitCode.failed;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A single problem in user input: a plan, a manifest or a flag. */
export interface InputIssue extends SourceLocation {
  message: string;
}

/** Bad input: nothing was applied. Exit 2. Holds every problem found, not only the first. */
export class InputError extends MeshproofError {
  override readonly exitCode = ExitCode.badInput;
  readonly issues: InputIssue[];
  constructor(issues: InputIssue[] | string, options?: { cause?: unknown }) {
    const list = typeof issues === 'string' ? [{ file: '<input>', message: issues }] : issues;
    super(list.map((i) => `${formatLocation(i)}: ${i.message}`).join('\n'), options);
    this.issues = list;
  }
}

/** The environment is not usable: Docker, kind, cluster, ingress, a timeout before verifying. Exit 3. */
export class EnvironmentError extends MeshproofError {
  override readonly exitCode = ExitCode.environment;
  /** What the user can do about it, printed under the message. */
  readonly hint: string | undefined;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.hint = options?.hint;
  }
}

/** The run was interrupted by a signal. Exit 130. */
export class InterruptedError extends MeshproofError {
  override readonly exitCode = ExitCode.interrupted;
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

/** A failed external command, with the command line as values and what it printed. */
export class CommandError extends EnvironmentError {
  constructor(
    readonly command: readonly string[],
    readonly exitStatus: number | null,
    readonly stderr: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(
      `command failed (exit ${exitStatus ?? 'signal'}): ${command.map(shellWord).join(' ')}` +
        (stderr.trim() ? `\n${stderr.trim().split('\n').slice(-20).join('\n')}` : ''),
      options,
    );
  }
}

function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`;
}

/**
 * Wraps `cause` with a message saying what was being done. Keeps the class of a MeshproofError
 * cause, so that an environment error stays an environment error as it travels up.
 */
export function wrap(message: string, cause: unknown): Error {
  const text = `${message}: ${cause instanceof Error ? cause.message : String(cause)}`;
  if (cause instanceof InputError)
    return new InputError(
      cause.issues.map((i) => ({ ...i, message: `${message}: ${i.message}` })),
      { cause },
    );
  if (cause instanceof InterruptedError) return cause;
  if (cause instanceof EnvironmentError) return new EnvironmentError(text, { cause, hint: cause.hint });
  if (cause instanceof MeshproofError) return new MeshproofError(text, { cause });
  return new Error(text, { cause });
}

/** The exit code an error maps to: its own when it carries one, else 1. */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof MeshproofError ? err.exitCode : ExitCode.failed;
}
