/**
 * What every YAML loader (plans, manifests, lint) needs before and around the `yaml` package: the
 * file read with a size bound and checked to be UTF-8, syntax errors placed where the user must
 * look, and alias bombs refused as bad input naming the file rather than thrown as a crash.
 */
import { readFile, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import type { Document, LineCounter, YAMLError } from 'yaml';
import type { InputIssue } from './errors.js';

/** Largest plan file read, in bytes (plans are a few KiB; this only keeps a mistake from eating memory). */
export const MAX_PLAN_BYTES = 1024 * 1024;
/** Largest manifest file read: one object may be up to the API server's 3 MiB request limit. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Alias uses one document may expand (the `yaml` package's own default, stated here). */
export const MAX_ALIAS_COUNT = 100;

export type TextResult = { text: string } | { issue: Omit<InputIssue, 'file'>; code?: string };

/** Reads `file` as UTF-8 text of at most `maxBytes`; what stands in the way comes back as an issue. */
export async function readInputText(file: string, maxBytes: number): Promise<TextResult> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) return { issue: { message: 'not a file' }, code: 'EISDIR' };
    size = s.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      issue: { message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(err)})` },
      code,
    };
  }
  if (size > maxBytes)
    return {
      issue: {
        message: `the file is ${mib(size)}, larger than the ${mib(maxBytes)} meshproof reads (refused before parsing)`,
      },
      code: 'EFBIG',
    };
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { issue: { message: `cannot read the file (${code ?? String(err)})` }, code };
  }
  // Read again to be sure: a file that grew between stat and read is still bounded.
  if (bytes.length > maxBytes)
    return { issue: { message: `the file is larger than the ${mib(maxBytes)} meshproof reads` }, code: 'EFBIG' };
  if (!isUtf8(bytes)) {
    const text = bytes.toString('utf8');
    const line = text.slice(0, Math.max(0, text.indexOf('\uFFFD'))).split('\n').length;
    return {
      issue: { line, message: 'the file is not UTF-8 text (save it as UTF-8; YAML files are UTF-8)' },
      code: 'EILSEQ',
    };
  }
  return { text: bytes.toString('utf8') };
}

/**
 * The document as plain data, or the issue that stopped it: more alias uses than MAX_ALIAS_COUNT
 * (a "billion laughs" document) is refused as bad input naming the file.
 */
export function documentData(doc: Document, file: string): { data: unknown } | { issue: InputIssue } {
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      return {
        issue: {
          file,
          message:
            `YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} alias uses): refused, ` +
            'as a document built to exhaust memory would be',
        },
      };
    }
    if (err instanceof Error) return { issue: { file, message: `YAML: ${err.message}` } };
    throw err;
  }
}

/**
 * Syntax errors as issues. An unclosed `{` or `[` is reported on the line that opened it (the parser
 * notices only on a later line, which is not where the fix goes); errors after it are its echoes
 * and are left out.
 */
export function syntaxIssues(
  errors: readonly YAMLError[],
  counter: LineCounter,
  text: string,
  file: string,
): InputIssue[] {
  const lastLine = text.replace(/\s+$/, '').split('\n').length;
  const issues: InputIssue[] = [];
  for (const e of errors) {
    const unclosed = /flow (map|sequence).*end with an? ([}\]])/i.exec(e.message);
    if (unclosed) {
      const closer = unclosed[2]!;
      const at = openerBefore(text, e.pos[0], closer === '}' ? '{' : '[', closer);
      if (at !== null) {
        const pos = counter.linePos(at);
        issues.push({
          file,
          line: pos.line,
          column: pos.col,
          message: `YAML syntax: "${closer === '}' ? '{' : '['}" opened here is never closed with "${closer}"`,
        });
        return issues;
      }
    }
    // An error found at the end of the text is reported on the last line written.
    const pos = counter.linePos(e.pos[0]);
    const line = Math.min(pos.line, lastLine);
    issues.push({
      file,
      line,
      column: line === pos.line ? pos.col : undefined,
      message: `YAML syntax: ${e.message.split('\n')[0]}`,
    });
  }
  return issues;
}

/** Offset of the last `open` before `end` that no `close` after it matches, skipping quoted text and comments. */
function openerBefore(text: string, end: number, open: string, close: string): number | null {
  const stack: number[] = [];
  let quote: string | null = null;
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote && text[i - 1] !== '\\') quote = null;
      else if (c === '\n') quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!)))
      i = Math.max(i, text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i) - 1);
    else if (c === open) stack.push(i);
    else if (c === close) stack.pop();
  }
  return stack.length ? stack[stack.length - 1]! : null;
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Number((bytes / 1024 / 1024).toFixed(1))} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
