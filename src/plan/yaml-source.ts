/**
 * A plan file parsed with the `yaml` package, keeping the node tree so that any field path
 * (`steps[1].route.weights.v3`) can be turned back into the line it was written on.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import type { InputIssue } from '../core/errors.js';
import { documentData, syntaxIssues } from '../core/yaml-input.js';

export type PlanPath = (string | number)[];

export interface YamlSource {
  file: string;
  /** The document as plain data. */
  data: unknown;
  /** 1-based line of the field at `path` (its key, or its item in a list); the nearest written ancestor when absent. */
  lineOf(path: PlanPath): number;
}

/** `steps[1].route.weights.v3`. */
export function planField(path: PlanPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

/** Parses one YAML document; syntax errors come back as issues (all of them), never thrown. */
export function parseYamlSource(text: string, file: string): { source?: YamlSource; issues: InputIssue[] } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const issues = syntaxIssues(doc.errors, counter, text, file);
  if (issues.length) return { issues };
  const js = documentData(doc, file);
  if ('issue' in js) return { issues: [js.issue] };
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : counter.linePos(offset).line);
  return { source: { file, data: js.data, lineOf: (path) => locate(doc, path, lineAt) }, issues };
}

function locate(doc: Document, path: PlanPath, lineAt: (offset: number | undefined) => number): number {
  let node: unknown = doc.contents;
  let line = lineAt((node as Node | null)?.range?.[0]);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) return line;
      line = lineAt((pair.key as Node | null)?.range?.[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return line;
      line = lineAt(item.range?.[0]);
      node = item;
    } else return line;
  }
  return line;
}
