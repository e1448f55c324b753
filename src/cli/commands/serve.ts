import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { DEFAULT_PORT, serve } from '../../actions/serve/serve.js';
import { ExitCode } from '../../core/errors.js';
import { targetRequest } from './target-request.js';
import { overridesOf } from './overrides.js';
import { watchInterrupts } from '../signals.js';

/** `serve`: answers until interrupted; exit 0 then (a stop asked for is how serving ends). */
export async function serveCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const interrupts = watchInterrupts(io.stderr);
  try {
    await serve(
      {
        target: targetRequest(args),
        port: args.port ?? DEFAULT_PORT,
        ...(args.log !== undefined && { log: args.log }),
        overrides: overridesOf(args),
        shared: args.shared,
        seed: args.seed,
        signal: interrupts.signal,
      },
      io,
    );
    return ExitCode.ok;
  } finally {
    interrupts.dispose();
  }
}
