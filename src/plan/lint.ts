/**
 * `meshproof lint`: loads each plan exactly as a run would (YAML, format, manifests, Istio
 * validation, cross-checks) and reports, per plan, every issue found. Offline: nothing is applied.
 */
import { resolve } from 'node:path';
import { InputError, type InputIssue } from '../core/errors.js';
import { virtualServiceWarnings } from '../istio/validate/virtual-service-warnings.js';
import { loadPlan } from './load.js';
import type { Plan } from './types.js';

export interface LintResult {
  /** Absolute path of the plan file. */
  file: string;
  ok: boolean;
  issues: InputIssue[];
  /**
   * What Istio's webhook warns about without refusing (unreachable rules), and what the plan's
   * allowNamespaces lets through that reaches a node, in a valid plan; never a failure.
   */
  warnings: InputIssue[];
  /** The plan as loaded, when it is valid. */
  plan?: Plan;
}

export async function lintPlans(files: string[]): Promise<LintResult[]> {
  return Promise.all(
    files.map(async (f) => {
      const file = resolve(f);
      try {
        const plan = await loadPlan(file);
        return { file, ok: true, issues: [], warnings: planWarnings(plan), plan };
      } catch (err) {
        // Anything but bad input (a bug, a full disk) is not a lint finding: let it surface.
        if (!(err instanceof InputError)) throw err;
        return { file, ok: false, issues: err.issues, warnings: [] };
      }
    }),
  );
}

/** Each manifest object's warnings once, however many steps apply it, then the fence's. */
function planWarnings(plan: Plan): InputIssue[] {
  const objects = [
    ...plan.setup.flatMap((m) => m.objects),
    ...plan.steps.flatMap((s) => s.objects),
    ...(plan.rollback?.objects ?? []),
  ];
  const seen = new Set<string>();
  const out: InputIssue[] = [];
  for (const w of [...objects.flatMap(virtualServiceWarnings), ...(plan.fence?.warnings ?? [])]) {
    const key = `${w.file}\u0000${w.line}\u0000${w.message}`;
    if (!seen.has(key)) out.push(w);
    seen.add(key);
  }
  return out;
}
