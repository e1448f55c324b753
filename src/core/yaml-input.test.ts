import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentData, readInputText, syntaxIssues } from './yaml-input.js';

function issues(text: string) {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  return syntaxIssues(doc.errors, counter, text, 'f.yaml');
}

describe('syntaxIssues', () => {
  it('puts an unclosed { on the line that opened it, past braces inside quotes and comments', () => {
    const text = 'a: "{not this"  # nor {this\nb: { x: 1\nc: 2\n';
    expect(issues(text)).toEqual([
      { file: 'f.yaml', line: 2, column: 4, message: 'YAML syntax: "{" opened here is never closed with "}"' },
    ]);
  });

  it('does the same for an unclosed [', () => {
    expect(issues('a: [1, 2\nb: 3\n')[0]).toMatchObject({
      line: 1,
      message: 'YAML syntax: "[" opened here is never closed with "]"',
    });
  });

  it('leaves other errors where the parser found them', () => {
    expect(issues('a: 1\na: 2\n')[0]!.message).toMatch(/^YAML syntax: Map keys must be unique/);
  });
});

describe('documentData', () => {
  it('refuses an alias bomb as an issue naming the file', () => {
    const text = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    const r = documentData(parseDocument(text), 'bomb.yaml');
    expect(r).toEqual({ issue: { file: 'bomb.yaml', message: expect.stringMatching(/^YAML aliases expand too far/) } });
  });

  it('lets a few aliases through', () => {
    expect(documentData(parseDocument('a: &a 1\nb: *a\n'), 'f.yaml')).toEqual({ data: { a: 1, b: 1 } });
  });
});

describe('readInputText', () => {
  it('refuses a file over the bound without reading it, and one that is not UTF-8 with its line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-input-'));
    await writeFile(join(dir, 'big'), 'x'.repeat(2048));
    expect(await readInputText(join(dir, 'big'), 1024)).toMatchObject({
      code: 'EFBIG',
      issue: { message: expect.stringContaining('larger than the 1 KiB') },
    });
    await writeFile(join(dir, 'latin1'), Buffer.from('a: 1\nb: caf\xe9\n', 'latin1'));
    expect(await readInputText(join(dir, 'latin1'), 1024)).toMatchObject({ code: 'EILSEQ', issue: { line: 2 } });
    expect(await readInputText(join(dir, 'nope'), 1024)).toMatchObject({ code: 'ENOENT' });
  });
});
