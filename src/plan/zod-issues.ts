/** Turns zod's issues into InputIssues with the plan file, the line and the dotted field. */
import { z } from 'zod';
import type { InputIssue } from '../core/errors.js';
import { planField, type PlanPath, type YamlSource } from './yaml-source.js';

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  boolean: 'true or false',
};

function describe(v: unknown): string {
  if (v === null) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Messages for the issues the schema gives no words of its own. Pass as the `error` option of safeParse. */
export const genericMessages: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${TYPE_WORDS[iss.expected] ?? iss.expected}, got ${describe(iss.input)}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return iss.origin === 'array' ? 'must not be empty' : `must be at least ${String(iss.minimum)}`;
    default:
      return undefined;
  }
};

/** Parses with the input kept in issues (messages quote it) and the generic messages above. */
export function safeParseAt<T extends z.core.$ZodType>(schema: T, data: unknown): z.ZodSafeParseResult<z.output<T>> {
  return z.safeParse(schema, data, { reportInput: true, error: genericMessages });
}

/** One InputIssue per problem; an unknown-keys issue becomes one issue per key, on that key's line. */
export function toInputIssues(error: z.ZodError, prefix: PlanPath, source: YamlSource): InputIssue[] {
  const out: InputIssue[] = [];
  const push = (path: PlanPath, message: string) =>
    out.push({ file: source.file, line: source.lineOf(path), field: planField(path), message });
  for (const iss of error.issues) {
    const path = [...prefix, ...(iss.path as PlanPath)];
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) push([...path, key], `unknown field "${key}" (${iss.message})`);
    } else if (iss.code === 'invalid_type' && 'input' in iss && iss.input === undefined) {
      push(path, `${planField(path)} is required`);
    } else {
      push(path, iss.message);
    }
  }
  return out;
}
