/** A scripted CommandRunner for tests: each call is recorded and answered by the first matching rule. */
import type { CommandRunner, CommandOptions, RunResult } from '../process.js';

/** One scripted answer. */
export interface FakeRule {
  /** Matches when the command equals `command` and the arguments start with `args` (if given). */
  command: string;
  args?: readonly string[];
  result: RunResult | ((args: readonly string[], opts: CommandOptions) => RunResult | Promise<RunResult>);
}

export class FakeRunner implements CommandRunner {
  readonly calls: { command: string; args: string[]; opts: CommandOptions }[] = [];
  constructor(
    readonly rules: FakeRule[] = [],
    readonly fallback: RunResult = { exitCode: 127, stdout: '', stderr: 'command not found' },
  ) {}
  on(command: string, args: readonly string[] | undefined, result: FakeRule['result']): this {
    this.rules.push({ command, args, result });
    return this;
  }
  async run(command: string, args: readonly string[], opts: CommandOptions = {}): Promise<RunResult> {
    this.calls.push({ command, args: [...args], opts });
    const rule = this.rules.find((r) => r.command === command && (r.args ?? []).every((a, i) => args[i] === a));
    if (!rule) return this.fallback;
    return typeof rule.result === 'function' ? rule.result(args, opts) : rule.result;
  }
  /** Calls of one command, as argument lists. */
  argsOf(command: string): string[][] {
    return this.calls.filter((c) => c.command === command).map((c) => c.args);
  }
}

export const ok = (stdout = '', stderr = ''): RunResult => ({ exitCode: 0, stdout, stderr });
export const fail = (exitCode: number, stderr = '', stdout = ''): RunResult => ({ exitCode, stdout, stderr });
