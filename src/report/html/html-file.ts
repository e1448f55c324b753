/** Writes index.html from results and the request log beside it; the reporter and `meshproof report` share this. */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent } from '../../model/events.js';
import type { Reporter } from '../reporter.js';
import { InputError } from '../../core/errors.js';
import type { RunResults } from '../../model/results.js';
import { REQUESTS_FILE } from '../files/requests-ndjson.js';
import { writeAtomic } from '../files/write.js';
import { digestRequests, type RequestDigest } from './digest.js';
import { renderHtml, type PageNotes } from './page.js';
import { readRequests, type ReadStats } from './read-requests.js';

export const HTML_FILE = 'index.html';

/**
 * Renders DIR/index.html. With `requireRequests` a missing or bad request log is an error (the
 * `report` command); without, the page is still written from the results alone, saying why.
 */
export async function writeHtmlReport(
  dir: string,
  results: RunResults,
  o: { requireRequests: boolean },
): Promise<string> {
  const file = join(dir, REQUESTS_FILE);
  const notes: PageNotes = {};
  let digest: RequestDigest = { steps: new Map(), requests: 0 };
  const stats: ReadStats = { lines: 0, truncatedTail: false };
  try {
    await access(file).catch((err: Error) => {
      throw new InputError([{ file, message: `cannot read the request log: ${err.message}` }], { cause: err });
    });
    digest = await digestRequests(readRequests(file, stats), { seed: results.seed });
    notes.truncatedTail = stats.truncatedTail;
  } catch (err) {
    if (o.requireRequests) throw err;
    notes.requestsUnavailable = (err as Error).message;
  }
  const out = join(dir, HTML_FILE);
  await writeAtomic(out, renderHtml(results, digest, notes));
  return out;
}

/** Renders index.html when the reporters close, after requests.ndjson is flushed (it comes earlier in the list). */
export class HtmlReporter implements Reporter {
  readonly name = HTML_FILE;
  private results: RunResults | null = null;

  constructor(private readonly reportDir: string) {}

  onEvent(e: RunEvent): void {
    if (e.type === 'run-end') this.results = e.results;
  }

  async close(): Promise<void> {
    if (this.results) await writeHtmlReport(this.reportDir, this.results, { requireRequests: false });
  }
}
