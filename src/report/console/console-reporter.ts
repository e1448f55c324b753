/**
 * Progress on stderr. The permanent lines are the same on a terminal and in CI (step start,
 * applied, settled, each verdict, each gate, step end with the reasons, rollback, summary, report
 * folder); a terminal also gets a live line for the running step (applying / settling /
 * verifying n=… with the current intervals and requests so far), while CI gets a progress line
 * now and then instead. The result at run end (outcome, why, report folder) is the program's
 * output and goes to stdout; with --json the JSON summary goes there instead and the result
 * lines stay with the progress on stderr.
 */
import type { RunEvent } from '../../model/events.js';
import type { Reporter } from '../reporter.js';
import * as line from './lines.js';
import { LiveLine } from './live-line.js';
import { jsonSummary } from './json-summary.js';
import { style, type Style } from './style.js';

export interface ConsoleOptions {
  /** Progress goes here: stderr. */
  stream: NodeJS.WritableStream;
  /** A terminal: live line and colour. Otherwise plain lines (CI). */
  tty: boolean;
  /** Print the JSON summary on `stdout` at run end. */
  json: boolean;
  /** Where the JSON summary goes; default process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** Folder named in the summary when run-start did not name one. */
  reportDir?: string;
  /** Clock for the CI progress lines; default Date.now. */
  now?: () => number;
}

/** In CI, a progress line at most this often per step, so long verifications show life. */
const CI_PROGRESS_EVERY_MS = 10_000;

interface Running {
  name: string;
  state: string;
  requests: number;
  intervals: string;
  lastProgressAt: number;
}

export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  private readonly s: Style;
  private readonly live: LiveLine | null;
  private step: Running | null = null;
  private reportDir: string | null;

  constructor(private readonly o: ConsoleOptions) {
    this.s = style(o.tty && !process.env.NO_COLOR);
    this.live = o.tty ? new LiveLine(o.stream) : null;
    this.reportDir = o.reportDir ?? null;
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'run-start':
        this.reportDir = e.reportDir || this.reportDir;
        return this.print(line.runStartLine(e));
      case 'phase-start':
        return this.print(line.phaseStartLine(e));
      case 'phase-end':
        return this.print(line.phaseEndLine(e, this.s));
      case 'step-start':
        this.print(line.stepStartLine(e));
        this.step = { name: e.step, state: 'applying', requests: 0, intervals: '', lastProgressAt: this.now() };
        return this.redraw();
      case 'applied':
        return this.print(line.appliedLine(e));
      case 'settle':
        return this.onSettle(e);
      case 'request':
        if (this.step && e.record.step === this.step.name) this.step.requests++;
        return this.redraw();
      case 'progress':
        return this.onProgress(e);
      case 'verdict':
        return this.print(line.verdictLine(e.result, this.s));
      case 'gate':
        return this.print(line.gateLine(e.gate, this.s));
      case 'step-end':
        this.step = null;
        this.live?.stop();
        return this.print(line.stepEndLines(e.result, this.s).join('\n'));
      case 'rollback':
        return this.print(line.rollbackLine(e, this.s));
      case 'diagnostics':
        return this.print(line.diagnosticsLine(e));
      case 'log':
        return this.print(line.logLine(e, this.s));
      case 'run-end': {
        this.live?.stop();
        const stdout = this.o.stdout ?? process.stdout;
        // Colour on stdout only when it is a terminal too: `meshproof run … > result.txt` gets plain text.
        const onStdout = !this.o.json;
        const s = onStdout
          ? style(this.o.tty && Boolean((stdout as NodeJS.WriteStream).isTTY) && !process.env.NO_COLOR)
          : this.s;
        const summary = line.summaryLines(e.results, this.reportDir, s).join('\n');
        // The result is program output (stdout), progress is not; with --json the JSON is stdout's only content.
        if (this.o.json) {
          this.print(summary);
          stdout.write(`${JSON.stringify(jsonSummary(e.results, this.reportDir), null, 2)}\n`);
        } else stdout.write(`${summary}\n`);
        return;
      }
    }
  }

  async close(): Promise<void> {
    this.live?.stop();
  }

  private onSettle(e: Extract<RunEvent, { type: 'settle' }>): void {
    const text = line.settleLine(e);
    if (this.step)
      this.step.state =
        e.state === 'waiting' ? `settling (${e.by})` : e.state === 'settled' ? 'verifying' : 'did not settle';
    if (text) this.print(text);
    this.redraw();
  }

  private onProgress(e: Extract<RunEvent, { type: 'progress' }>): void {
    if (!this.step) return;
    this.step.state = `verifying #${e.expectation + 1} n=${e.n}`;
    this.step.intervals = line.intervalsText(e.counts, e.intervals);
    if (this.live) return this.redraw();
    const now = this.now();
    if (now - this.step.lastProgressAt < CI_PROGRESS_EVERY_MS) return;
    this.step.lastProgressAt = now;
    this.print(line.progressLine(e));
  }

  private redraw(): void {
    if (!this.live || !this.step) return;
    const st = this.step;
    this.live.set(
      `${this.s.bold(st.name)} ${st.state} · ${st.requests} requests${st.intervals ? ` · ${st.intervals}` : ''}`,
    );
  }

  private print(text: string): void {
    if (this.live) this.live.print(text);
    else this.o.stream.write(`${text}\n`);
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }
}
