import { join } from 'node:path';
import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { runSession } from '../../runner/session.js';
import { InputError } from '../../core/errors.js';
import { paths } from '../../core/paths.js';
import { targetRequest } from './target-request.js';
import { overridesOf } from './overrides.js';
import { watchInterrupts } from '../signals.js';

/** `run PLAN` and `tutorial`: the exit code is the run's. */
export async function runCommand(args: CliArgs, io: SessionIO, tutorial: boolean): Promise<number> {
  const planFile = tutorial ? join(paths.plans, 'tutorial.yaml') : args.positionals[0];
  if (!planFile)
    throw new InputError([
      { file: '<command line>', field: 'PLAN', message: 'run needs a plan file: meshproof run plans/canary.yaml' },
    ]);
  const interrupts = watchInterrupts(io.stderr);
  try {
    const results = await runSession(
      {
        planFile,
        target: targetRequest(args),
        overrides: overridesOf(args),
        reportDir: args.reportDir || undefined,
        overwrite: args.overwrite,
        seed: args.seed,
        json: args.json,
        keep: args.keep,
        shared: args.shared,
        signal: interrupts.signal,
        hardSignal: interrupts.hardSignal,
      },
      io,
    );
    return results.exitCode;
  } finally {
    interrupts.dispose();
  }
}
