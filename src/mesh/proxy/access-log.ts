/**
 * The last N requests a proxy handled, kept as small records and printed on demand in the shape of
 * Istio's default Envoy access log line, response flags included (NR no route, NC no cluster,
 * UH no healthy upstream, UF connect failure, UC reset, UT timeout, URX retries exhausted,
 * DI delayed, FI aborted by fault injection).
 */

export interface AccessLogEntry {
  startMs: number;
  method: string;
  path: string;
  status: number;
  flags: string;
  details: string;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  upstreamMs: number | null;
  forwardedFor: string;
  userAgent: string;
  requestId: string;
  authority: string;
  upstreamHost: string;
  cluster: string;
  routeName: string;
}

export class AccessLog {
  private readonly entries: (AccessLogEntry | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 500) {
    this.entries = new Array(capacity);
  }

  add(e: AccessLogEntry): void {
    this.entries[this.next] = e;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Oldest first. */
  recent(limit = this.capacity): AccessLogEntry[] {
    const out: AccessLogEntry[] = [];
    const n = Math.min(limit, this.count);
    for (let i = n; i > 0; i--) out.push(this.entries[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }
}

const dash = (s: string | null | undefined) => (s ? s : '-');

export function formatAccessLog(e: AccessLogEntry): string {
  return (
    `[${new Date(e.startMs).toISOString()}] "${e.method} ${e.path} HTTP/1.1" ${e.status} ${dash(e.flags)} ` +
    `${dash(e.details)} - "-" ` +
    `${e.bytesIn} ${e.bytesOut} ${Math.round(e.durationMs)} ` +
    `${e.upstreamMs === null ? '-' : Math.round(e.upstreamMs)} ` +
    `"${dash(e.forwardedFor)}" "${dash(e.userAgent)}" "${dash(e.requestId)}" "${dash(e.authority)}" ` +
    `"${dash(e.upstreamHost)}" ` +
    `${dash(e.cluster)} ${dash(e.routeName)}`
  );
}
