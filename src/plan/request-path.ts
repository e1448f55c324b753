/**
 * A request path as it goes on the wire (RFC 3986): visible ASCII only, each `%` starting an
 * escape of two hex digits. A space, a control character or a non-ASCII character must be
 * percent-encoded, as a browser encodes them: sent raw, undici refuses some (U+0100 and up, a
 * space) and a proxy's HTTP/1 codec answers 400 to the rest.
 */

/** Why `path` cannot be sent as written (the character, where, and how to write it), or null. */
export function requestPathProblem(path: string): string | null {
  let position = 0;
  for (const ch of path) {
    position++;
    const code = ch.codePointAt(0)!;
    if (code >= 0x21 && code <= 0x7e) {
      if (ch === '%' && !/^%[0-9A-Fa-f]{2}/.test(path.slice(position - 1)))
        return `"%" at position ${position} does not start an escape of two hex digits (write a literal % as %25)`;
      continue;
    }
    const what = `${describeCharacter(ch, code)} at position ${position}`;
    return `${what} cannot be sent as written: percent-encode it (${encode(ch)}), as a browser would`;
  }
  return null;
}

function describeCharacter(ch: string, code: number): string {
  const u = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === ' ') return 'a space';
  if (code < 0x20 || code === 0x7f) return `the control character ${u}`;
  return `the non-ASCII character "${ch}" (${u})`;
}

function encode(ch: string): string {
  try {
    return encodeURIComponent(ch);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate has no UTF-8 encoding
  }
}
