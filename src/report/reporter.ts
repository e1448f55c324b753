/** What every reporter is: a consumer of the run's events, nothing else. */
import type { RunEvent } from '../model/events.js';

/** A consumer of run events. Every hook is optional; a reporter that throws is reported and skipped. */
export interface Reporter {
  readonly name: string;
  onEvent?(event: RunEvent): void | Promise<void>;
  /** Called once after run-end; flush files here. */
  close?(): Promise<void>;
}
