/** Colour for the terminal only; CI logs and files get plain text. */
import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function style(color: boolean): Style {
  // validateStream off: whether to colour is decided here from the `tty` flag, not from stdout
  // (progress goes to stderr, and stdout may be a pipe in --json mode).
  const paint = (f: Format) => (s: string) => (color ? styleText(f, s, { validateStream: false }) : s);
  return { ok: paint('green'), bad: paint('red'), warn: paint('yellow'), dim: paint('dim'), bold: paint('bold') };
}
