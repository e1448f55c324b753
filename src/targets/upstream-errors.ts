/**
 * Which upstream pods failed, read from proxy access logs. A client only sees a status; the
 * proxy that forwarded the request logs the upstream host it picked (`%UPSTREAM_HOST%`), and that
 * is the only place a failing pod behind a weighted route can be named. Lines are read in Istio's
 * default text format, which the local mesh prints too, so the same reading fits a cluster's
 * `istio-proxy` logs.
 */

export interface AccessLogFacts {
  startMs: number;
  status: number;
  flags: string;
  requestId: string;
  /** `127.0.0.1:34567` (an address on a cluster: pod IP and port); empty when no upstream was picked. */
  upstreamHost: string;
}

/**
 * The fields this reading needs, up to `"%UPSTREAM_HOST%"`; the unquoted fields after it are
 * ignored. The user agent is matched greedily because Envoy prints it unescaped, quotes and all.
 */
const LINE =
  /^\[([^\]]+)\] "[^"]*" (\d+) (\S+) \S+ \S+ "[^"]*" \d+ \d+ \d+ \S+ "[^"]*" ".*" "([^"]*)" "[^"]*" "([^"]*)"[^"]*$/;

const unset = (s: string) => (s === '-' ? '' : s);

/** One access log line; null for a line in another format. */
export function parseAccessLogLine(line: string): AccessLogFacts | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const startMs = Date.parse(m[1]!);
  if (Number.isNaN(startMs)) return null;
  return { startMs, status: Number(m[2]), flags: unset(m[3]!), requestId: unset(m[4]!), upstreamHost: unset(m[5]!) };
}

/** Whether any of `lines` is an access log line this reading understands (access logging is on). */
export function hasAccessLogLine(lines: readonly string[]): boolean {
  return lines.some((l) => parseAccessLogLine(l) !== null);
}

/** The lines that record a 5xx answer, the only ones upstreamErrorsFromLogs counts. */
export function failureLines(lines: readonly string[]): string[] {
  return lines.filter((l) => (parseAccessLogLine(l)?.status ?? 0) >= 500);
}

export interface ProxyLog {
  /** The pod whose proxy wrote the log (the gateway pod, or an app pod's sidecar). */
  pod: string;
  lines: string[];
}

/**
 * Counts 5xx answers per upstream pod since `sinceMs`: answered by the pod, or by its caller's
 * proxy on its behalf (connect failure, reset, timeout: the upstream host is still logged).
 * A pod that answered 5xx while its own proxy logged a 5xx for the same request id only passed a
 * failure on (productpage does so for reviews), so the failure is counted at the deeper pod.
 * Answers with no upstream pod (no route, no healthy upstream, fault injection) are no pod's.
 */
export function upstreamErrorsFromLogs(
  logs: ProxyLog[],
  podAt: ReadonlyMap<string, string>,
  sinceMs: number,
): Record<string, number> {
  const failures = logs.map((l) => ({
    pod: l.pod,
    entries: l.lines
      .map(parseAccessLogLine)
      .filter((e): e is AccessLogFacts => e !== null && e.startMs >= sinceMs && e.status >= 500),
  }));
  const failedBelow = new Map<string, Set<string>>();
  for (const { pod, entries } of failures)
    failedBelow.set(pod, new Set(entries.map((e) => e.requestId).filter(Boolean)));
  const counts: Record<string, number> = {};
  for (const { entries } of failures) {
    for (const e of entries) {
      const pod = podAt.get(e.upstreamHost);
      if (!pod) continue;
      if (e.requestId && failedBelow.get(pod)?.has(e.requestId)) continue;
      counts[pod] = (counts[pod] ?? 0) + 1;
    }
  }
  return counts;
}
