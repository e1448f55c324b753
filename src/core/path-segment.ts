/**
 * One path segment from a name someone else wrote (a plan name, a step name): never a separator,
 * never `.` or `..`, no control characters, nothing Windows refuses in a file name, bounded length.
 * Written by hand because the rule is short and the libraries that do this (sanitize-filename and
 * kin) keep dots and case rules that would let `..` or `CON` through in some mode.
 */

/** Names Windows reserves whatever the extension (`con.txt` is the console too). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

export interface SegmentOptions {
  /** Used when nothing usable is left of the name. */
  fallback: string;
  /** Lowercase as well (file names that must not differ by case alone). */
  lowercase?: boolean;
  /** Longest segment kept, in characters. */
  max?: number;
}

export function pathSegment(name: string, o: SegmentOptions): string {
  const text = o.lowercase ? name.toLowerCase() : name;
  let s = text
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, o.max ?? 80)
    // A leading dot hides the folder (or makes `.`/`..`); a trailing dot or dash Windows drops or refuses.
    .replace(/^[-.]+|[-.]+$/g, '');
  if (WINDOWS_RESERVED.test(s)) s = `${s}_`;
  return s || o.fallback;
}
