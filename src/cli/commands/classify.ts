import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { classifyPage } from '../../actions/classify-page.js';
import { InputError } from '../../core/errors.js';
import { parseVersionFromFlag } from '../../plan/generic-expectation.js';

/** `classify FILE|URL`: what meshproof sees in one page, as JSON on stdout. */
export async function classifyCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const source = args.positionals[0];
  if (!source)
    throw new InputError([
      { file: '<command line>', field: 'FILE|URL', message: 'classify needs a saved page or a URL' },
    ]);
  const from = args.versionFrom === undefined ? undefined : parseVersionFromFlag(args.versionFrom);
  if (from && 'problem' in from)
    throw new InputError([{ file: '<command line>', field: '--version-from', message: from.problem }]);
  io.stdout.write(`${JSON.stringify(await classifyPage(source, from))}\n`);
  return 0;
}
