import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import { InputError, EnvironmentError } from '../core/errors.js';
import type { ClassifiableResponse } from '../bookinfo/classification.js';

/** A saved page (status 200, type from the extension, no headers) or a URL fetched once, as the classifier takes it. */
export async function fetchPage(source: string, timeoutMs = 10_000): Promise<ClassifiableResponse> {
  if (/^https?:\/\//.test(source)) {
    try {
      const res = await request(source, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      const ct = res.headers['content-type'];
      const headers = res.headers as Record<string, string | string[] | undefined>;
      return {
        status: res.statusCode,
        contentType: Array.isArray(ct) ? ct[0] : ct,
        body: await res.body.text(),
        headers,
      };
    } catch (err) {
      throw new EnvironmentError(`failed to fetch ${source}: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    const body = await readFile(source, 'utf8');
    return { status: 200, contentType: source.endsWith('.json') ? 'application/json' : 'text/html', body };
  } catch (err) {
    throw new InputError([{ file: source, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? err}` }], {
      cause: err,
    });
  }
}
