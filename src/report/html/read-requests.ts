/**
 * Streams requests.ndjson back as records, one line at a time, so reading a long run's file takes
 * flat memory. Split by hand rather than with node:readline because readline cannot tell a
 * complete last line from one cut off when a run was killed mid-write — and only the latter may
 * be skipped quietly.
 */
import { createReadStream } from 'node:fs';
import { InputError } from '../../core/errors.js';
import type { RequestRecord } from '../../model/record.js';

export interface ReadStats {
  lines: number;
  /** An unterminated, unparsable last line (the run was killed mid-write): skipped. */
  truncatedTail: boolean;
}

export async function* readRequests(
  file: string,
  stats: ReadStats = { lines: 0, truncatedTail: false },
): AsyncGenerator<RequestRecord> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  let rest = '';
  let lineNo = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const text of parts) {
        lineNo++;
        const record = parseLine(text, file, lineNo);
        if (record) {
          stats.lines++;
          yield record;
        }
      }
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError([{ file, message: `cannot read the request log: ${(err as Error).message}` }], { cause: err });
  }
  if (rest.trim()) {
    lineNo++;
    let record: RequestRecord | null = null;
    try {
      record = parseLine(rest, file, lineNo);
    } catch {
      stats.truncatedTail = true;
    }
    if (record) {
      stats.lines++;
      yield record;
    }
  }
}

function parseLine(text: string, file: string, line: number): RequestRecord | null {
  if (!text.trim()) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError([{ file, line, message: `not a JSON line: ${(err as Error).message}` }]);
  }
  const problem = recordProblem(value);
  if (problem) throw new InputError([{ file, line, field: problem.field, message: problem.message }]);
  return value as RequestRecord;
}

/** The fields the report reads, checked so a foreign file fails with a clear message. */
function recordProblem(v: unknown): { field: string; message: string } | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { field: '', message: 'expected a request record (a JSON object)' };
  const r = v as Record<string, unknown>;
  const want: [string, string][] = [
    ['step', 'string'],
    ['expectation', 'number'],
    ['phase', 'string'],
    ['t', 'number'],
    ['latencyMs', 'number'],
  ];
  for (const [field, type] of want)
    if (typeof r[field] !== type)
      return { field, message: `expected a ${type}, found ${JSON.stringify(r[field]) ?? 'nothing'}` };
  if (r.status !== null && typeof r.status !== 'number')
    return { field: 'status', message: 'expected a number or null' };
  return null;
}
