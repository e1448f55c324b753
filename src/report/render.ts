/**
 * `meshproof report DIR`: re-renders summary.md and index.html from DIR/results.json and
 * DIR/requests.ndjson, with the same renderers the run used. A missing or malformed file is bad
 * input (exit 2) naming the file, and the field or line where it goes wrong.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromJSONSchema } from 'zod';
import { InputError } from '../core/errors.js';
import { projectRoot } from '../core/paths.js';
import type { RunResults } from '../model/results.js';
import { RESULTS_FILE } from './files/results-file.js';
import { fromFlatRatings } from './files/results-flat-ratings.js';
import { renderSummary, SUMMARY_FILE } from './files/summary-md.js';
import { writeAtomic } from './files/write.js';
import { writeHtmlReport } from './html/html-file.js';

const SCHEMA_FILE = join(projectRoot, 'schemas', 'results.schema.json');

export async function renderReport(dir: string): Promise<{ files: string[] }> {
  const results = await loadResults(join(dir, RESULTS_FILE));
  const summary = join(dir, SUMMARY_FILE);
  await writeAtomic(summary, renderSummary(results));
  // A killed run's request log may be missing or cut short: its page says so instead of refusing.
  const html = await writeHtmlReport(dir, results, { requireRequests: !results.partial });
  return { files: [summary, html] };
}

/**
 * Reads and checks results.json against schemas/results.schema.json (an older file's flat `ratings:` keys read into
 * `ratings`).
 */
export async function loadResults(file: string): Promise<RunResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(
      [{ file, message: `cannot read results: ${(err as Error).message} (is this a meshproof report folder?)` }],
      { cause: err },
    );
  }
  let value: unknown;
  try {
    value = fromFlatRatings(JSON.parse(text));
  } catch (err) {
    throw new InputError([{ file, message: `not valid JSON: ${(err as Error).message}` }], { cause: err });
  }
  // The JSON Schema is the one description of the file; zod turns it into a checker, so the
  // schema and this check cannot drift apart.
  const checked = (await resultsChecker()).safeParse(value);
  if (!checked.success) {
    throw new InputError(
      checked.error.issues.slice(0, 10).map((i) => ({ file, field: fieldPath(i.path), message: i.message })),
    );
  }
  return value as RunResults;
}

let checker: ReturnType<typeof fromJSONSchema> | null = null;

async function resultsChecker(): Promise<ReturnType<typeof fromJSONSchema>> {
  checker ??= fromJSONSchema(JSON.parse(await readFile(SCHEMA_FILE, 'utf8')));
  return checker;
}

/** `steps[0].expectations[1].outcome`, as the rest of meshproof names fields. */
function fieldPath(path: PropertyKey[]): string {
  return (
    path.reduce<string>(
      (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
      '',
    ) || '(top level)'
  );
}
