/** What every step of the kind build gets: the runner, the artefact store, the folders, progress output. */
import { checked, type CommandRunner, type CommandOptions } from '../../../core/process.js';
import type { ArtefactStore } from './cache.js';
import type { KindBuildLayout } from './layout.js';

export interface BuildContext {
  runner: CommandRunner;
  store: ArtefactStore;
  layout: KindBuildLayout;
  /** `go env GOVERSION`: an input of every Go part's key. */
  goVersion: string;
  say: (message: string) => void;
  signal?: AbortSignal;
}

/** Runs a command that must succeed (CommandError with its stderr otherwise), honouring the build's abort signal. */
export function run(
  ctx: BuildContext,
  command: string,
  args: readonly string[],
  opts: CommandOptions & { hint?: string } = {},
): Promise<string> {
  return checked(ctx.runner, command, args, {
    timeoutMs: 30 * 60_000,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...opts,
  });
}

/** `docker …` with the legacy builder (docker 20.10's; the same with any newer client). */
export function docker(
  ctx: BuildContext,
  args: readonly string[],
  opts: CommandOptions & { hint?: string } = {},
): Promise<string> {
  return run(ctx, 'docker', args, { ...opts, env: { DOCKER_BUILDKIT: '0', ...opts.env } });
}

/** The image ID of `ref` in Docker, or null when Docker has no such image. */
export async function dockerImageId(ctx: BuildContext, ref: string): Promise<string | null> {
  const r = await ctx.runner.run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { timeoutMs: 60_000 });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** Times `fn`, returning its result and the milliseconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const v = await fn();
  return [v, Date.now() - t0];
}
