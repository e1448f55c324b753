/**
 * results.json: written as a partial document when the run starts and rewritten after every step
 * (so a killed run still leaves valid JSON holding the steps finished so far), and once more,
 * complete, at run end.
 */
import { join } from 'node:path';
import { phaseResult, type RunEvent } from '../../model/events.js';
import type { Reporter } from '../reporter.js';
import type { PhaseResult, RunResults, StepResult } from '../../model/results.js';
import { ExitCode } from '../../core/errors.js';
import { writeAtomic } from './write.js';

export const RESULTS_FILE = 'results.json';

type RunStart = Extract<RunEvent, { type: 'run-start' }>;

export class ResultsFileReporter implements Reporter {
  readonly name = 'results.json';
  private start: RunStart | null = null;
  private readonly phases: PhaseResult[] = [];
  private readonly steps: StepResult[] = [];
  private rollback: StepResult | null = null;
  /** The rollback's reason, for a partial file written after the rollback step ended. */
  private rollbackReason: string | undefined;
  private readonly file: string;

  constructor(reportDir: string) {
    this.file = join(reportDir, RESULTS_FILE);
  }

  async onEvent(e: RunEvent): Promise<void> {
    switch (e.type) {
      case 'run-start':
        // Written at once: a run killed before its first step still leaves a report folder that
        // `meshproof report` re-renders and `--overwrite` recognises.
        this.start = e;
        await this.write(this.partial(e));
        return;
      case 'rollback':
        this.rollbackReason = e.reason;
        return;
      case 'phase-end':
        this.phases.push(phaseResult(e));
        return;
      case 'step-end':
        if (e.result.kind === 'rollback') this.rollback = e.result;
        else this.steps.push(e.result);
        if (this.start) await this.write(this.partial(this.start));
        return;
      case 'run-end':
        await this.write(this.complete(e.results));
        return;
      default:
        return;
    }
  }

  /** What the events so far say, marked partial and interrupted: if it stays like this, the run never ended. */
  private partial(s: RunStart): RunResults {
    const failed = [...this.steps, ...(this.rollback ? [this.rollback] : [])].some(
      (x) => x.outcome !== 'passed' && x.outcome !== 'skipped',
    );
    const last = this.rollback ?? this.steps[this.steps.length - 1];
    const results: RunResults = {
      schemaVersion: 1,
      plan: s.plan,
      planFile: s.planFile,
      target: s.target,
      targetDescription: s.targetDescription,
      outcome: failed ? 'failed' : 'inconclusive',
      message: `run did not reach its end; last finished: ${last ? `${last.kind} ${last.name}` : 'nothing'}`,
      startedAt: s.startedAt,
      durationMs: Math.max(0, Date.now() - Date.parse(s.startedAt)),
      seed: s.seed,
      settings: s.settings as RunResults['settings'],
      interrupted: true,
      phases: [...this.phases],
      steps: [...this.steps],
      rollback: this.rollback,
      exitCode: ExitCode.interrupted,
      partial: true,
      rollbackReason: this.rollbackReason,
      allowNamespaces: s.allowNamespaces,
      beyondFence: s.beyondFence,
    };
    // Without settings on run-start the partial file leaves them out (the schema allows that only when partial).
    if (results.settings === undefined) delete (results as Partial<RunResults>).settings;
    return results;
  }

  private complete(r: RunResults): RunResults {
    return { ...r, partial: false };
  }

  private write(r: RunResults): Promise<void> {
    return writeAtomic(this.file, `${JSON.stringify(r, null, 2)}\n`);
  }
}
