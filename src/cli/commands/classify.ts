import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { classifyPage } from '../../actions/classify-page.js';
import { InputError } from '../../core/errors.js';

/** `classify FILE|URL`: what meshproof sees in one page, as JSON on stdout. */
export async function classifyCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const source = args.positionals[0];
  if (!source)
    throw new InputError([
      { file: '<command line>', field: 'FILE|URL', message: 'classify needs a saved page or a URL' },
    ]);
  io.stdout.write(`${JSON.stringify(await classifyPage(source))}\n`);
  return 0;
}
