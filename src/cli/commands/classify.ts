import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { fetchPage } from '../../traffic/fetch-page.js';
import { bookinfoClassifier } from '../../bookinfo/classifier/index.js';
import { InputError } from '../../core/errors.js';

/** `classify FILE|URL`: what meshproof sees in one page, as JSON on stdout. */
export async function classifyCommand(args: CliArgs, io: SessionIO): Promise<number> {
  const source = args.positionals[0];
  if (!source) throw new InputError([{ file: '<command line>', field: 'FILE|URL', message: 'classify needs a saved page or a URL' }]);
  const page = await fetchPage(source);
  const c = bookinfoClassifier.classify(page);
  io.stdout.write(`${JSON.stringify({ reviews: c.reviews, ratings: c.ratings, pod: c.pod, format: c.format, status: page.status, ...(c.note ? { note: c.note } : {}) })}\n`);
  return 0;
}
