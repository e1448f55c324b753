/** Test helpers: feed an event stream through reporters the way a run does, capture a stream's text. */
import { Writable } from 'node:stream';
import type { RunEvent } from '../../model/events.js';
import type { Reporter } from '../reporter.js';
import { Multiplexer } from '../multiplexer.js';

/** Emits every event through a multiplexer (awaiting each, as the runner does) and closes it. */
export async function drive(
  events: Iterable<RunEvent>,
  reporters: Reporter[],
  warn?: (line: string) => void,
): Promise<Multiplexer> {
  const mux = new Multiplexer(reporters, warn ? { warn } : {});
  for (const e of events) await mux.emit(e);
  await mux.close();
  return mux;
}

/** A writable that keeps what is written, optionally pretending to be a terminal. */
export class Capture extends Writable {
  text = '';
  isTTY: boolean;
  columns = 120;
  constructor(tty = false) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    cb();
  }
}
