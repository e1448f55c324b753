/**
 * One typed event stream from the runner. Every reporter (console, files, HTML) is a consumer of
 * these events; none of them talks to the runner any other way.
 */
import type { RequestRecord } from './record.js';
import type {
  BeyondFence,
  ExpectationResult,
  GateResult,
  PhaseResult,
  RunResults,
  StepResult,
  TargetName,
} from './results.js';

/** What `up` says while it works; the runner passes these on as run events. */
export type UpEvent =
  | { type: 'phase-start'; phase: string }
  | { type: 'phase-end'; phase: string; ok: boolean; durationMs: number; detail?: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export type RunEvent =
  | {
      type: 'run-start';
      plan: string;
      planFile: string;
      target: TargetName;
      targetDescription: string;
      startedAt: string;
      reportDir: string;
      seed: number;
      /** The plan's defaults; lets a partial results.json (written after each step) carry them. */
      settings?: RunResults['settings'];
      /** The plan's allowNamespaces and what they let through, so a partial results.json lists them too. */
      allowNamespaces?: string[];
      beyondFence?: BeyondFence[];
    }
  /** The target's `up`: each phase's start and end (with its duration), and its notes as `log` events. */
  | UpEvent
  | { type: 'step-start'; step: string; index: number; kind: 'step' | 'rollback'; total: number }
  | { type: 'applied'; step: string; objects: { ref: string; file: string | null; yaml: string; action: string }[] }
  | {
      type: 'settle';
      step: string;
      state: 'waiting' | 'settled' | 'timeout';
      by: 'proxies' | 'traffic' | 'none';
      propagationMs?: number;
      observed?: string;
    }
  | { type: 'request'; record: RequestRecord }
  | {
      type: 'progress';
      step: string;
      expectation: number;
      n: number;
      counts: Record<string, number>;
      intervals: Record<string, [number, number]>;
    }
  | { type: 'verdict'; step: string; expectation: number; result: ExpectationResult }
  | { type: 'gate'; step: string; gate: GateResult }
  | { type: 'step-end'; result: StepResult }
  | { type: 'rollback'; reason: string }
  | { type: 'diagnostics'; dir: string; files: string[] }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'run-end'; results: RunResults };

export type RunEventType = RunEvent['type'];

/** What results.json keeps of an ended phase. */
export function phaseResult(e: Extract<UpEvent, { type: 'phase-end' }>): PhaseResult {
  return { name: e.phase, ok: e.ok, durationMs: e.durationMs, detail: e.detail || undefined };
}
