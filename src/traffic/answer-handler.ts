/**
 * One answer read through undici's dispatch handler interface: status, content type, cookies and
 * the body's bytes, decoded once at the end. Transport failures resolve as values, like answers.
 *
 * Written against the handler interface rather than `request()` because `request()` wraps every
 * body in a Readable stream; on a 6 KB page that stream was a fifth of the client's CPU per request.
 */
import type { Dispatcher } from 'undici';

export interface HttpAnswer {
  status: number | null;
  error?: string;
  contentType?: string;
  body: string;
  latencyMs: number;
  /** Set-Cookie values, in order. */
  setCookies: string[];
  /** Every response header, names in lowercase (undici's own object; absent on a transport failure). */
  headers?: Record<string, string | string[]>;
  /** The socket that carried the request, numbered from 1 as the client opened them (absent: it never got one). */
  conn?: number;
}

/** The socket a pooled connection holds now: its number changes each time the connection opens anew. */
export interface SocketSlot {
  id: number;
}

/** A Bookinfo page is ~6 KB; an answer past this is no page to classify, and is not held in memory. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class AnswerHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private bytes = 0;
  private contentType: string | undefined;
  private setCookies: string[] = [];
  private headers: Record<string, string | string[]> | undefined;
  private chunks: Buffer[] = [];
  private conn: number | undefined;
  /** Set by the client when a connection takes the request; read when the request starts on its socket. */
  slot: SocketSlot | undefined;

  constructor(
    private readonly started: number,
    private readonly timeoutMs: number,
    private readonly resolve: (a: HttpAnswer) => void,
    /** Sees a failure first; true when it took the failure as a refusal (the answer is then never resolved). */
    private readonly refused?: (err: Error) => boolean,
  ) {}

  onRequestStart(): void {
    if (this.slot?.id) this.conn = this.slot.id;
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[]>): void {
    // 1xx answers come before the real one: only the last start counts.
    this.status = status;
    const ct = headers['content-type'];
    this.contentType = Array.isArray(ct) ? ct[0] : ct;
    const sc = headers['set-cookie'];
    this.setCookies = sc === undefined ? [] : Array.isArray(sc) ? sc : [sc];
    this.headers = headers;
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > MAX_BODY_BYTES) {
      this.chunks = [];
      c.abort(
        Object.assign(new Error(`answer larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`), {
          code: 'MESHPROOF_BODY_TOO_LARGE',
        }),
      );
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const body =
      this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    const answer: HttpAnswer = {
      status: this.status,
      body,
      latencyMs: performance.now() - this.started,
      setCookies: this.setCookies,
    };
    if (this.contentType !== undefined) answer.contentType = this.contentType;
    if (this.headers !== undefined) answer.headers = this.headers;
    if (this.conn !== undefined) answer.conn = this.conn;
    this.resolve(answer);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.chunks = [];
    if (this.refused?.(err)) return;
    this.resolve({
      status: null,
      error: describeTransportError(err, this.timeoutMs),
      body: '',
      latencyMs: performance.now() - this.started,
      setCookies: [],
      ...(this.conn !== undefined && { conn: this.conn }),
    });
  }
}

export function describeTransportError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT')
    return `timeout after ${timeoutMs}ms`;
  if (e?.code === 'MESHPROOF_BODY_TOO_LARGE') return e.message!;
  return e?.cause?.code ?? e?.code ?? e?.message ?? String(err);
}
