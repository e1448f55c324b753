/**
 * requests.ndjson: one JSON line per request, streamed as request events arrive. Lines are
 * batched into chunks; when the file stream's buffer is full the event hook waits for `drain`,
 * so memory stays flat however long the run is (the multiplexer holds later events meanwhile).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { dirname, join } from 'node:path';
import type { RunEvent } from '../../model/events.js';
import type { Reporter } from '../reporter.js';
import type { RequestRecord } from '../../model/record.js';

export const REQUESTS_FILE = 'requests.ndjson';

/** Bytes gathered before one write() call: fewer syscalls than a write per line. */
const CHUNK_BYTES = 64 * 1024;

export class NdjsonWriter {
  private stream: WriteStream | null = null;
  private chunk: string[] = [];
  private chunkBytes = 0;
  private failure: Error | null = null;
  lines = 0;

  constructor(readonly file: string) {}

  /** Adds one record. Returns a promise only when the caller should wait (the file is behind). */
  write(record: RequestRecord): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    const line = `${JSON.stringify(record)}\n`;
    this.chunk.push(line);
    this.chunkBytes += line.length;
    this.lines++;
    if (this.chunkBytes < CHUNK_BYTES) return undefined;
    return this.flushChunk();
  }

  /** Writes what is buffered and closes the file; rejects if any of it could not be written. */
  async close(): Promise<void> {
    const s = this.open();
    // No need to wait for drain: end() flushes everything buffered; a write error surfaces below.
    this.flushChunk()?.catch(() => undefined);
    s.end();
    try {
      await finished(s);
    } catch (err) {
      throw this.failure ?? new Error(`cannot write ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    if (this.failure) throw this.failure;
  }

  private flushChunk(): Promise<void> | undefined {
    const s = this.open();
    if (!this.chunk.length) return undefined;
    const data = this.chunk.join('');
    this.chunk = [];
    this.chunkBytes = 0;
    if (s.write(data)) return undefined;
    return drained(s).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  private open(): WriteStream {
    if (this.stream) return this.stream;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
    } catch (err) {
      throw new Error(`cannot write ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    this.stream = createWriteStream(this.file, { flags: 'w' });
    // A disk error surfaces on the next write or on close, so the multiplexer can report it.
    this.stream.on('error', (err) => {
      this.failure = new Error(`cannot write ${this.file}: ${err.message}`, { cause: err });
    });
    return this.stream;
  }
}

/**
 * Resolves on `drain` or on `error`, never rejects: events.once() would reject on the error event,
 * and a rejection nobody awaits any more (the file was closed meanwhile) ends the process.
 */
function drained(s: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      s.off('drain', done);
      s.off('error', done);
      resolve();
    };
    s.on('drain', done);
    s.on('error', done);
  });
}

export class RequestsFileReporter implements Reporter {
  readonly name = REQUESTS_FILE;
  private readonly writer: NdjsonWriter;

  constructor(reportDir: string) {
    this.writer = new NdjsonWriter(join(reportDir, REQUESTS_FILE));
  }

  private closing: Promise<void> | null = null;

  onEvent(e: RunEvent): Promise<void> | undefined {
    // The file is finished at run-end, not later at close: a failure to write it is then known
    // while results.json is still to be written, and lands there among the reporter errors.
    if (e.type === 'run-end') return this.close();
    if (e.type !== 'request') return undefined;
    return this.writer.write(e.record);
  }

  close(): Promise<void> {
    this.closing ??= this.writer.close();
    return this.closing;
  }
}
