import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { upAndServe, tearDown, runDoctor } from '../../actions/environment.js';
import { targetRequest } from './target-request.js';
import { watchInterrupts } from '../signals.js';
import { ExitCode } from '../../core/errors.js';

export async function upCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const interrupts = watchInterrupts(io.stderr);
  try {
    await upAndServe(targetRequest(args), io, interrupts.signal, { shared: args.shared });
    return ExitCode.ok;
  } finally {
    interrupts.dispose();
  }
}

export async function downCommand(args: CliArgs, io: SessionIO): Promise<number> {
  await tearDown({ ...targetRequest(args), purgeCache: args.purgeCache }, io);
  return ExitCode.ok;
}

export async function doctorCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const { ready, checks } = await runDoctor(io, {
    clusterName: args.clusterName || undefined,
    hostPort: args.hostPort || undefined,
    target: targetRequest(args),
  });
  if (args.json) io.stdout.write(`${JSON.stringify({ ready, checks })}\n`);
  return ready ? ExitCode.ok : ExitCode.environment;
}
