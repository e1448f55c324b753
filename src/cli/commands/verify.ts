import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { verifyOnce, type VerifyOnceResult } from '../../runner/verify-once.js';
import { ExitCode } from '../../core/errors.js';
import { formatWeights } from '../../plan/weights-flag.js';
import { targetRequest } from './target-request.js';
import { overridesOf } from './overrides.js';
import { verifyRequest } from './verify-flags.js';
import { watchInterrupts } from '../signals.js';

/**
 * `verify`: one check against the routes in place. Exit 0 passed; 1 failed, or inconclusive (as `run` ends a step
 * that ran out of budget: not passed); 2 bad input; 3 environment; 130 interrupted.
 */
export async function verifyCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const request = verifyRequest(args);
  const interrupts = watchInterrupts(io.stderr);
  try {
    const r = await verifyOnce(
      {
        ...request,
        target: targetRequest(args),
        overrides: overridesOf(args),
        shared: args.shared,
        seed: args.seed,
        signal: interrupts.signal,
      },
      io,
    );
    if (interrupts.signal.aborted) return ExitCode.interrupted;
    if (args.json) io.stdout.write(`${JSON.stringify(verdictJson(r))}\n`);
    else io.stdout.write(`${r.outcome}: ${formatWeights(r.expected)} — ${r.reason}\n`);
    return r.outcome === 'passed' ? ExitCode.ok : ExitCode.failed;
  } finally {
    interrupts.dispose();
  }
}

/** `--json`: the verdict, each version's interval, the requests used and the alpha it was decided at. */
export function verdictJson(r: VerifyOnceResult) {
  return {
    verdict: r.outcome,
    expected: r.expected,
    observed: r.observed,
    intervals: r.intervals,
    requests: r.requests,
    alpha: r.alpha,
    target: r.target,
    ...(r.from && { from: r.from }),
    reason: r.reason,
  };
}
