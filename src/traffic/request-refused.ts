/**
 * Requests the HTTP client will not send. undici refuses a path with a character outside
 * U+0021–U+00FF (a space, a control character, most of Unicode) by throwing while the request is
 * dispatched; the plan's lint refuses them earlier, and stricter (src/plan/request-path.ts).
 */
import { MeshproofError } from '../core/errors.js';

/** undici's own rule (lib/core/request.js): a path holds only U+0021–U+00FF. */
const UNSENDABLE = /[^\u0021-\u00ff]/;

/** Why undici would refuse `path`, or null when it would send it. */
export function unsendablePath(path: string): string | null {
  if (!path.startsWith('/')) return 'invalid request path: it does not start with /';
  const bad = UNSENDABLE.exec(path);
  if (!bad) return null;
  const code = bad[0].codePointAt(0)!;
  const what = bad[0] === ' ' ? 'a space' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `invalid request path: ${what} at position ${bad.index + 1} (undici sends only U+0021–U+00FF)`;
}

/** The client refused a request before sending it: every request like it would be refused too. */
export class RequestRefusedError extends MeshproofError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot send ${method} ${JSON.stringify(path)}: ${reason}`, options);
  }
}
