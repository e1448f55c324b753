/** The `--json` summary printed on stdout at run end: a stable subset of results.json. */
import type { Outcome, RunResults, StepResult } from '../../model/results.js';

export interface JsonSummary {
  plan: string;
  target: string;
  outcome: Outcome;
  message: string;
  exitCode: number;
  durationMs: number;
  steps: JsonStep[];
  rollback: JsonStep | null;
  reportDir: string | null;
}

export interface JsonStep {
  name: string;
  outcome: Outcome;
  message: string;
  requests: number;
  propagationMs: number | null;
  expectations: { user: string; path: string; outcome: Outcome; requests: number }[];
}

export function jsonSummary(r: RunResults, reportDir: string | null): JsonSummary {
  return {
    plan: r.plan,
    target: r.target,
    outcome: r.outcome,
    message: r.message,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    steps: r.steps.map(step),
    rollback: r.rollback ? step(r.rollback) : null,
    reportDir,
  };
}

function step(s: StepResult): JsonStep {
  return {
    name: s.name,
    outcome: s.outcome,
    message: s.message,
    requests: s.requests,
    propagationMs: s.propagationMs,
    expectations: s.expectations.map((e) => ({ user: e.user, path: e.path, outcome: e.outcome, requests: e.requests })),
  };
}
