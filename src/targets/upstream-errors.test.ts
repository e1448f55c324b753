import { describe, expect, it } from 'vitest';
import { formatAccessLog, type AccessLogEntry } from '../mesh/proxy/access-log.js';
import { parseAccessLogLine, upstreamErrorsFromLogs } from './upstream-errors.js';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const PP = '127.0.0.1:4001';
const V1 = '127.0.0.1:4002';
const V3 = '127.0.0.1:4003';
const podAt = new Map([
  [PP, 'productpage-v1-abc-1'],
  [V1, 'reviews-v1-abc-2'],
  [V3, 'reviews-v3-abc-3'],
]);

function line(over: Partial<AccessLogEntry>): string {
  return formatAccessLog({
    startMs: T0,
    method: 'GET',
    path: '/reviews/0',
    status: 200,
    flags: '',
    details: 'via_upstream',
    bytesIn: 0,
    bytesOut: 10,
    durationMs: 3,
    upstreamMs: 2,
    forwardedFor: '',
    userAgent: 'Mozilla/5.0 (X11; Linux) "quoted"',
    requestId: 'r1',
    authority: 'reviews:9080',
    upstreamHost: V3,
    cluster: 'outbound|9080|v3|reviews.default.svc.cluster.local',
    routeName: 'default',
    ...over,
  });
}

describe('parseAccessLogLine', () => {
  it('reads time, status, flags, request id and upstream host from a line the mesh prints', () => {
    const l = line({
      status: 503,
      flags: 'UF,URX',
      details: 'upstream_reset_before_response_started{remote_connection_failure}',
      upstreamMs: null,
      userAgent: '',
    });
    expect(parseAccessLogLine(l)).toEqual({
      startMs: T0,
      status: 503,
      flags: 'UF,URX',
      requestId: 'r1',
      upstreamHost: V3,
    });
  });

  it('reads an Istio line with the fields that follow the upstream host', () => {
    const istio =
      '[2026-05-01T10:00:00.000Z] "GET /reviews/0 HTTP/1.1" 503 - via_upstream - "-" 0 40 5 4 "-" ' +
      '"python-requests/2.32" "r9" "reviews:9080" "10.244.0.17:9080" ' +
      'outbound|9080||reviews.default.svc.cluster.local 10.244.0.12:51234 10.96.1.2:9080 10.244.0.12:40000 - ' +
      'default';
    expect(parseAccessLogLine(istio)).toEqual({
      startMs: T0,
      status: 503,
      flags: '',
      requestId: 'r9',
      upstreamHost: '10.244.0.17:9080',
    });
  });

  it('returns null for other text', () => {
    expect(parseAccessLogLine('2026-05-01T10:00:00Z info envoy starting')).toBeNull();
  });
});

describe('upstreamErrorsFromLogs', () => {
  it('counts 5xx per upstream pod, including the caller proxy’s own replies on a pod’s behalf', () => {
    const logs = [
      {
        pod: 'productpage-v1-abc-1',
        lines: [
          line({ requestId: 'a', status: 503 }),
          line({ requestId: 'b', status: 503, flags: 'UF', upstreamMs: null }),
          line({ requestId: 'c', status: 504, flags: 'UT', upstreamHost: V1 }),
          line({ requestId: 'd', status: 200, upstreamHost: V1 }),
          line({ requestId: 'e', status: 503, flags: 'UH', upstreamHost: '' }),
          line({ requestId: 'f', status: 503, startMs: T0 - 1 }),
        ],
      },
    ];
    expect(upstreamErrorsFromLogs(logs, podAt, T0)).toEqual({ 'reviews-v3-abc-3': 2, 'reviews-v1-abc-2': 1 });
  });

  it('counts a failure productpage passed on at the reviews pod it came from, not at productpage', () => {
    const logs = [
      {
        pod: 'istio-ingressgateway-x-y',
        lines: [
          line({ requestId: 'a', status: 503, path: '/api/v1/products/0/reviews', upstreamHost: PP }),
          line({ requestId: 'z', status: 500, path: '/productpage', upstreamHost: PP }),
        ],
      },
      // Two attempts for `a` (productpage retries reviews once), both failed on v3.
      {
        pod: 'productpage-v1-abc-1',
        lines: [line({ requestId: 'a', status: 503 }), line({ requestId: 'a', status: 503 })],
      },
    ];
    // `z` failed in productpage itself: nothing below it failed for that request.
    expect(upstreamErrorsFromLogs(logs, podAt, T0)).toEqual({ 'reviews-v3-abc-3': 2, 'productpage-v1-abc-1': 1 });
  });
});
