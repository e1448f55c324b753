/**
 * Fans run events out to every reporter, in order, one event at a time. A reporter that throws
 * (or rejects) is reported once and skipped from then on: a broken report never stops a run.
 */
import type { RunEvent } from '../model/events.js';
import type { Reporter } from './reporter.js';

export interface MultiplexerOptions {
  /** Where a failing reporter is announced, one line, once. Default: process.stderr. */
  warn?: (line: string) => void;
}

/** Options, or simply the stream that takes the warning lines (stderr). */
export type MultiplexerSink = MultiplexerOptions | NodeJS.WritableStream;

export class Multiplexer implements Reporter {
  readonly name = 'multiplexer';
  /** One line per reporter that failed, in the order they failed. Also added to run-end results. */
  readonly failures: string[] = [];
  private readonly failed = new Set<Reporter>();
  private readonly warn: (line: string) => void;
  // Delivery queue: events reach reporters in the order emit() was called, even when a caller
  // (the request sampler) does not await, and each async hook finishes before the next event.
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly reporters: readonly Reporter[],
    sink: MultiplexerSink = {},
  ) {
    const stream = isStream(sink) ? sink : process.stderr;
    this.warn = (!isStream(sink) && sink.warn) || ((line) => void stream.write(`${line}\n`));
  }

  /** Delivers one event to every live reporter. Never rejects. Await it to get backpressure. */
  emit(event: RunEvent): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.tail = this.tail.then(() => this.deliver(event));
    return this.tail;
  }

  onEvent(event: RunEvent): Promise<void> {
    return this.emit(event);
  }

  /** Waits for queued events, then closes every reporter in order. Never rejects. */
  async close(): Promise<void> {
    if (this.closed) return this.tail;
    this.closed = true;
    await this.tail;
    for (const r of this.reporters) {
      if (!r.close) continue;
      if (this.failed.has(r)) {
        // Still released so files it holds are flushed; it was already reported once.
        await r.close().catch(() => undefined);
        continue;
      }
      try {
        await r.close();
      } catch (err) {
        this.fail(r, 'close', err);
      }
    }
  }

  private async deliver(event: RunEvent): Promise<void> {
    for (const r of this.reporters) {
      if (!r.onEvent || this.failed.has(r)) continue;
      // Per reporter: a reporter that failed on this very run-end is known to the ones after it.
      const e = event.type === 'run-end' && this.failures.length ? withReporterErrors(event, this.failures) : event;
      try {
        const pending = r.onEvent(e);
        if (pending) await pending;
      } catch (err) {
        this.fail(r, e.type, err);
      }
    }
  }

  private fail(r: Reporter, during: string, err: unknown): void {
    this.failed.add(r);
    const line =
      `reporter ${r.name} failed on ${during} and is skipped from now on: ` +
      `${err instanceof Error ? err.message : String(err)}`;
    this.failures.push(line);
    try {
      this.warn(`warning: ${line}`);
    } catch {
      // Nowhere left to say it; the line is still in `failures` and results.json.
    }
  }
}

function withReporterErrors(event: Extract<RunEvent, { type: 'run-end' }>, failures: string[]): RunEvent {
  const earlier = event.results.reporterErrors ?? [];
  return { ...event, results: { ...event.results, reporterErrors: [...earlier, ...failures] } };
}

function isStream(s: MultiplexerSink): s is NodeJS.WritableStream {
  return typeof (s as NodeJS.WritableStream).write === 'function';
}
