/**
 * The command line: parse flags, call the library, map the outcome to an exit code. Nothing else
 * lives here.
 */
import { parseCli, USAGE, type CliArgs } from './args.js';
import { exitCodeOf, EnvironmentError, InputError, ExitCode } from '../core/errors.js';
import type { SessionIO } from '../runner/session.js';

// Commands are loaded on demand: the Kubernetes client and the cluster code cost seconds to load,
// and `lint`, `classify` or a local run should not pay for them.
const COMMANDS: Record<string, (a: CliArgs, io: SessionIO) => Promise<number>> = {
  tutorial: async (a, io) => (await import('./commands/run.js')).runCommand(a, io, true),
  run: async (a, io) => (await import('./commands/run.js')).runCommand(a, io, false),
  verify: async (a, io) => (await import('./commands/verify.js')).verifyCommand(a, io),
  serve: async (a, io) => (await import('./commands/serve.js')).serveCommand(a, io),
  lint: async (a, io) => (await import('./commands/lint.js')).lintCommand(a, io),
  report: async (a, io) => (await import('./commands/report.js')).reportCommand(a, io),
  classify: async (a, io) => (await import('./commands/classify.js')).classifyCommand(a, io),
  up: async (a, io) => (await import('./commands/environment.js')).upCommand(a, io),
  down: async (a, io) => (await import('./commands/environment.js')).downCommand(a, io),
  doctor: async (a, io) => (await import('./commands/environment.js')).doctorCommand(a, io),
};

export async function main(argv: string[], io: SessionIO = defaultIO()): Promise<number> {
  try {
    const args = parseCli(argv);
    if (args.version) return print(io, await versionText());
    // Asked for (`--help`, `help`): exit 0. No command at all is a usage error: exit 2.
    if (args.help || args.command === 'help') return print(io, USAGE, 0);
    if (!args.command) return print(io, USAGE, ExitCode.badInput);
    const command = COMMANDS[args.command];
    if (!command)
      throw new InputError([
        {
          file: '<command line>',
          field: 'command',
          message: `unknown command "${args.command}" (see meshproof --help)`,
        },
      ]);
    return await command(args, io);
  } catch (err) {
    io.stderr.write(formatError(err));
    return exitCodeOf(err);
  }
}

/** `meshproof 0.1.0`, then the pinned Istio, Kubernetes and kind versions the cluster targets use. */
async function versionText(): Promise<string> {
  const [pkg, { versionLines }] = await Promise.all([
    import('../../package.json', { with: { type: 'json' } }),
    import('../targets/version-lines.js'),
  ]);
  return [`meshproof ${pkg.default.version}`, ...versionLines()].join('\n');
}

function print(io: SessionIO, text: string, code = 0): number {
  (code === 0 ? io.stdout : io.stderr).write(text.endsWith('\n') ? text : `${text}\n`);
  return code;
}

/** The error chain, outermost first; a hint where one helps; the stack only with MESHPROOF_DEBUG. */
export function formatError(err: unknown): string {
  const label = err instanceof InputError ? 'bad input' : err instanceof EnvironmentError ? 'environment' : 'error';
  let text = `meshproof: ${label}: ${err instanceof Error ? err.message : String(err)}\n`;
  if (err instanceof EnvironmentError && err.hint) text += `hint: ${err.hint}\n`;
  if (process.env.MESHPROOF_DEBUG && err instanceof Error) text += `${err.stack}\n`;
  return text;
}

function defaultIO(): SessionIO {
  // A reader that goes away (`meshproof run … | head`) must not end the run: it would stop traffic
  // mid-step and leave no report. Lines nobody reads are dropped; the report is still written.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, tty: Boolean(process.stderr.isTTY) && !process.env.CI };
}
