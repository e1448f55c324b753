/**
 * Facts some events carry and the runner's final results may not: why the rollback ran, where the
 * diagnostics went. Each file reporter keeps its own copy (reporters share no state, so one
 * failing cannot take another down) and adds them to the results it renders.
 */
import type { RunEvent } from '../model/events.js';
import type { RunResults } from '../model/results.js';

export class RunFacts {
  private rollbackReason: string | undefined;
  private diagnostics: RunResults['diagnostics'];

  observe(e: RunEvent): void {
    if (e.type === 'rollback') this.rollbackReason = e.reason;
    else if (e.type === 'diagnostics') this.diagnostics = { dir: e.dir, files: e.files };
  }

  /** The results with what the events said filled in where the runner left it out. */
  complete(r: RunResults): RunResults {
    const out = { ...r };
    if (out.rollbackReason === undefined && this.rollbackReason !== undefined) out.rollbackReason = this.rollbackReason;
    if (out.diagnostics === undefined && this.diagnostics) out.diagnostics = this.diagnostics;
    return out;
  }
}
