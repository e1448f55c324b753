/**
 * From plan text to checked plan fields. Each field of the top level, of each step and of the
 * rollback is parsed on its own, so a problem in one field never hides a problem elsewhere: a step
 * whose weights are wrong still has its files loaded and its subsets checked.
 */
import { isMap } from '../istio/validate/validate-common.js';
import type { z } from 'zod';
import type { InputIssue } from '../core/errors.js';
import {
  planTopSchema,
  rollbackSchema,
  stepSchema,
  type RawPlanTop,
  type RawRollback,
  type RawStep,
} from './schema.js';
import { safeParseAt, toInputIssues } from './zod-issues.js';
import { planField, type PlanPath, type YamlSource } from './yaml-source.js';

/** Fields that parsed; a field that did not is absent (its issue is already reported). */
export type Parsed<T> = { [K in keyof T]?: T[K] };

export interface ParsedStep {
  raw: Parsed<RawStep> | Parsed<RawRollback>;
  prefix: PlanPath;
  /** Every field parsed: the step can be built. */
  complete: boolean;
}

export interface ParsedPlan {
  top: Parsed<RawPlanTop>;
  /** Every top-level field parsed: the plan's defaults are as written. */
  topComplete: boolean;
  steps: ParsedStep[];
  rollback?: ParsedStep;
}

export function parsePlan(source: YamlSource, issues: InputIssue[]): ParsedPlan {
  const data = source.data;
  const { value: top, complete: topComplete } = parseFields(planTopSchema.shape, data, [], source, issues);
  const rawSteps = isMap(data) && Array.isArray(data.steps) ? data.steps : [];
  const steps = rawSteps.map((raw, i): ParsedStep => {
    const prefix = ['steps', i];
    const r = parseFields(stepSchema.shape, raw, prefix, source, issues, 'a step');
    return { raw: r.value, prefix, complete: r.complete };
  });
  const rawRollback = isMap(data) ? data.rollback : undefined;
  if (rawRollback === undefined || rawRollback === null) return { top, topComplete, steps };
  const r = parseFields(rollbackSchema.shape, rawRollback, ['rollback'], source, issues, 'the rollback');
  return { top, topComplete, steps, rollback: { raw: r.value, prefix: ['rollback'], complete: r.complete } };
}

/** Parses each field of `raw` with its schema and reports fields the shape does not know. */
function parseFields<S extends z.ZodRawShape>(
  shape: S,
  raw: unknown,
  prefix: PlanPath,
  source: YamlSource,
  issues: InputIssue[],
  what = 'the plan',
): { value: Parsed<{ [K in keyof S]: z.output<S[K]> }>; complete: boolean } {
  const value: Record<string, unknown> = {};
  if (!isMap(raw)) {
    issues.push({
      file: source.file,
      line: source.lineOf(prefix),
      field: planField(prefix) || undefined,
      message: `${what} must be a mapping of fields`,
    });
    return { value: value as never, complete: false };
  }
  let complete = true;
  const known = Object.keys(shape);
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    complete = false;
    const path = [...prefix, key];
    issues.push({
      file: source.file,
      line: source.lineOf(path),
      field: planField(path),
      message: `unknown field "${key}" (known fields here: ${known.join(', ')})`,
    });
  }
  for (const key of known) {
    const r = safeParseAt(shape[key]!, raw[key]);
    if (r.success) {
      if (r.data !== undefined) value[key] = r.data;
    } else {
      complete = false;
      issues.push(...toInputIssues(r.error, [...prefix, key], source));
    }
  }
  return { value: value as never, complete };
}
