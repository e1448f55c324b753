import { resolve, join } from 'node:path';
import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { renderReport } from '../../report/render.js';
import { InputError } from '../../core/errors.js';
import { openInBrowser } from '../open.js';

/** `report DIR [--open]`: re-render summary.md and index.html from DIR/results.json. */
export async function reportCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const dir = args.positionals[0];
  if (!dir)
    throw new InputError([
      { file: '<command line>', field: 'DIR', message: 'report needs a report folder: meshproof report reports/<run>' },
    ]);
  const { files } = await renderReport(resolve(dir));
  for (const f of files) io.stderr.write(`wrote ${f}\n`);
  if (args.open) await openInBrowser(join(resolve(dir), 'index.html'), io);
  return 0;
}
