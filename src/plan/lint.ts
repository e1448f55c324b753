/**
 * `meshproof lint`: loads each plan exactly as a run would (YAML, format, manifests, Istio
 * validation, cross-checks) and reports, per plan, every issue found. Offline: nothing is applied.
 */
import { resolve } from 'node:path';
import { InputError, type InputIssue } from '../core/errors.js';
import { loadPlan } from './load.js';
import type { Plan } from './types.js';

export interface LintResult {
  /** Absolute path of the plan file. */
  file: string;
  ok: boolean;
  issues: InputIssue[];
  /** The plan as loaded, when it is valid. */
  plan?: Plan;
}

export async function lintPlans(files: string[]): Promise<LintResult[]> {
  return Promise.all(
    files.map(async (f) => {
      const file = resolve(f);
      try {
        return { file, ok: true, issues: [], plan: await loadPlan(file) };
      } catch (err) {
        // Anything but bad input (a bug, a full disk) is not a lint finding: let it surface.
        if (!(err instanceof InputError)) throw err;
        return { file, ok: false, issues: err.issues };
      }
    }),
  );
}
