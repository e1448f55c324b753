import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { bringUp, tearDown, runDoctor } from '../../actions/environment.js';
import { targetRequest } from './target-request.js';
import { watchInterrupts } from '../signals.js';
import { ExitCode } from '../../core/errors.js';

export async function upCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const interrupts = watchInterrupts(io.stderr);
  try {
    const target = await bringUp(targetRequest(args), io, interrupts.signal);
    if (target.traits.servesWhile === 'process') {
      io.stderr.write(
        target.traits.lifetime === 'process'
          ? 'The local mesh lives as long as this process: press Ctrl-C to stop it.\n'
          : 'The data plane serves as long as this process: ' +
              'press Ctrl-C to stop it (the control plane keeps running; ' +
              `\`meshproof down --target ${target.name}\` stops it).\n`,
      );
      await new Promise<void>((resolve) =>
        interrupts.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      if (target.traits.lifetime === 'process') await target.down();
    }
    await target.close();
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
