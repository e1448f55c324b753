import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifestFile, parseManifests } from '../../kube/manifest.js';
import { validateObject, validateObjects } from './validate.js';
import { NO_SUCH_HEADER_VALUE as NEVER, parseGoDuration } from './validate-common.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function vs(http: string, extra = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]${extra}
  http:
${http}`;
}

/** Messages of every issue in a YAML text, as `field: message`. */
function check(text: string): string[] {
  return validateObjects(parseManifests(text, 'm.yaml')).map((i) => `${i.field}: ${i.message}`);
}

describe('validateObject on the project manifests', () => {
  const files = ['bookinfo', 'istio', 'routing', 'gateway-api'].flatMap((d) =>
    readdirSync(join(ROOT, 'manifests', d))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(ROOT, 'manifests', d, f)),
  );
  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s is valid', async (_name, file) => {
    const objects = await loadManifestFile(file);
    expect(objects.length).toBeGreaterThan(0);
    expect(validateObjects(objects)).toEqual([]);
  });
});

describe('VirtualService, as Istio 1.15+ validates it', () => {
  it('accepts weights that do not sum to 100, and a lone destination of weight 0', () => {
    expect(
      check(
        vs(`    - route:
        - { destination: { host: reviews, subset: v1 }, weight: 70 }
        - { destination: { host: reviews, subset: v3 }, weight: 40 }
    - route:
        - { destination: { host: reviews, subset: v1 }, weight: 0 }`),
      ),
    ).toEqual([]);
  });

  it('accepts presence matches, RE2 regexes with flags, and every match field', () => {
    expect(
      check(
        vs(`    - match:
        - headers: { end-user: {} }
          uri: { regex: "(?i)/api/v1/products/[0-9]+" }
          method: { exact: GET }
          queryParams: { debug: { prefix: "1" } }
          withoutHeaders: { x-canary: { exact: "no" } }
          sourceLabels: { app: productpage }
          ignoreUriCase: true
          port: 9080
          gateways: [mesh]
      route:
        - destination: { host: reviews, subset: v1, port: { number: 9080 } }`),
      ),
    ).toEqual([]);
  });

  it('refuses regexes RE2 cannot compile (look-ahead) and over-long ones', () => {
    const long = 'a'.repeat(1025);
    expect(
      check(
        vs(`    - match:
        - uri: { regex: "/x(?=y)" }
        - headers: { h: { regex: "${long}" } }
      route:
        - destination: { host: reviews }`),
      ),
    ).toEqual([
      expect.stringMatching(/^spec\.http\[0\]\.match\[0\]\.uri\.regex: regex does not compile as RE2/),
      'spec.http[0].match[1].headers.h.regex: regex is too long (1025 characters, at most 1024)',
    ]);
  });

  it('refuses a StringMatch with two kinds, and a bad header name', () => {
    expect(
      check(
        vs(`    - match:
        - uri: { exact: /a, prefix: /b }
          headers: { "bad header": { exact: x } }
      route:
        - destination: { host: reviews }`),
      ),
    ).toEqual([
      'spec.http[0].match[0].uri.prefix: uri match sets exact and prefix; use only one',
      'spec.http[0].match[0].headers.bad header: "bad header" is not a valid header name',
    ]);
  });

  it('refuses CR, LF and NUL in a header match value, and control characters in a header set (not a tab)', () => {
    expect(
      check(
        vs(`    - match:
        - headers: { a: { exact: "x\\r" }, b: { prefix: "\\0" }, c: { regex: "[^\\n]" }, d: { exact: "x\\ty" } }
        - withoutHeaders: { e: { exact: "\\n" } }
        - queryParams: { f: { exact: "x y" } }
      headers: { request: { set: { g: "a\\u007f", h: "a\\tb" } } }
      route:
        - destination: { host: reviews }`),
      ),
    ).toEqual([
      'spec.http[0].match[0].headers.a.exact: header match "a" exact value has a CR (U+000D) at position 2: ' + NEVER,
      'spec.http[0].match[0].headers.b.prefix: header match "b" prefix value has a NUL (U+0000) at position 1: ' +
        NEVER,
      'spec.http[0].match[1].withoutHeaders.e.exact: header match "e" exact value has a LF (U+000A) at position 1: ' +
        NEVER,
      'spec.http[0].headers.request.set.g: header g value has the control character U+007F at position 2: ' +
        "Istio's webhook refuses control characters in a header value (only a tab is allowed)",
    ]);
  });

  it('refuses rules without an action, fault with directResponse, and missing hosts on destinations', () => {
    expect(
      check(
        vs(`    - match: [{ uri: { prefix: /a } }]
    - directResponse: { status: 503 }
      fault: { abort: { httpStatus: 503 } }
    - route:
        - destination: { subset: v1 }`),
      ),
    ).toEqual([
      'spec.http[0]: an http rule needs a route, a redirect or a directResponse',
      'spec.http[1].fault: an http rule cannot combine directResponse with fault',
      'spec.http[2].route[0].destination.host: destination host is required',
    ]);
  });

  it('checks faults: durations, percentages, status range, unsupported kinds', () => {
    expect(
      check(
        vs(`    - fault:
        delay: { fixedDelay: 500us, percentage: { value: 0.00001 } }
        abort: { httpStatus: 199 }
      route: [{ destination: { host: reviews } }]
    - fault:
        delay: { exponentialDelay: 1s }
        abort: { http2Error: "x", percentage: { value: 100 } }
      route: [{ destination: { host: reviews } }]
    - fault:
        delay: { fixedDelay: 1m30s, percent: 101 }
      timeout: 0.5s
      route: [{ destination: { host: reviews } }]`),
      ),
    ).toEqual([
      'spec.http[0].fault.delay.fixedDelay: fixedDelay "500us" is shorter than 1ms',
      'spec.http[0].fault.delay.percentage.value: percentage 0.00001 is not in range 0–100',
      'spec.http[0].fault.abort.httpStatus: abort httpStatus 199 is not in range 200–599',
      'spec.http[1].fault.delay.exponentialDelay: exponentialDelay is not supported by Istio',
      'spec.http[1].fault.abort.http2Error: http2Error aborts are not supported by Istio',
      'spec.http[2].fault.delay.percent: percent 101 is not in range 0–100',
    ]);
  });

  it('checks retries, redirects and timeouts', () => {
    expect(
      check(
        vs(`    - retries: { attempts: 0, perTryTimeout: 2s }
      timeout: 10
      route: [{ destination: { host: reviews } }]
    - retries: { attempts: 3, retryOn: "5xx,503,sometimes" }
      route: [{ destination: { host: reviews } }]
    - redirect: { redirectCode: 200 }`),
      ),
    ).toEqual([
      'spec.http[0].timeout: timeout must be a duration string such as 5s or 500ms, got 10',
      'spec.http[0].retries.attempts: retries sets perTryTimeout or retryOn but attempts is 0 (retries disabled)',
      'spec.http[1].retries.retryOn: "sometimes" is not a valid retryOn policy',
      'spec.http[2].redirect: redirect must set uri, authority, scheme or port',
      'spec.http[2].redirect.redirectCode: redirectCode 200 is not in range 300–399',
    ]);
  });

  it('refuses host "*" for the mesh but accepts it on a gateway', () => {
    const mesh = vs(`    - route: [{ destination: { host: reviews } }]`).replace('hosts: [reviews]', 'hosts: ["*"]');
    expect(check(mesh)).toEqual([
      'spec.hosts[0]: host "*" is not allowed for a VirtualService that applies to the mesh (sidecars)',
    ]);
    expect(check(mesh.replace('hosts: ["*"]', 'hosts: ["*"]\n  gateways: [bookinfo-gateway]'))).toEqual([]);
  });

  it('needs some rules, and knows tcp routes', () => {
    expect(check(vs('', '').replace('  http:\n', ''))).toEqual(['spec: a VirtualService needs http, tcp or tls rules']);
    expect(
      check(
        vs('', '').replace(
          '  http:\n',
          '  tcp:\n    - route: [{ destination: { host: reviews }, weight: 1.5, headers: {} }]\n',
        ),
      ),
    ).toEqual([
      'spec.tcp[0].route[0].headers: unknown field "headers" (known here: destination, weight)',
      'spec.tcp[0].route[0].weight: weight must be a whole number, got 1.5',
    ]);
  });
});

describe('DestinationRule and Gateway', () => {
  it('accepts a subset without labels (it selects every pod) and refuses bad names', () => {
    expect(
      check(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  subsets:
    - name: all
    - name: V2
      labels: { version: 2 }
    - labels: { version: v3 }
`),
    ).toEqual([
      'spec.subsets[1].name: subset name "V2" is invalid (lowercase letters, digits and -)',
      'spec.subsets[1].labels.version: label version must have a string value (quote numbers and booleans)',
      'spec.subsets[2].name: subset name is required',
    ]);
  });

  it('checks outlierDetection at the rule and in a subset as Istio does', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: r }
spec:
  host: reviews
  trafficPolicy:
    outlierDetection: { consecutive5xxErrors: -1, interval: soon, maxEjectionPercent: 150, ejectEverything: true }
  subsets:
    - name: v1
      labels: { version: v1 }
      trafficPolicy: { outlierDetection: { baseEjectionTime: 0.5ms, minHealthPercent: 2.5 } }
`;
    expect(check(text)).toEqual([
      'spec.trafficPolicy.outlierDetection.ejectEverything: unknown field "ejectEverything" (known here: ' +
        'consecutive5xxErrors, consecutiveGatewayErrors, consecutiveErrors, consecutiveLocalOriginFailures, ' +
        'interval, baseEjectionTime, maxEjectionPercent, minHealthPercent, splitExternalLocalOriginErrors)',
      'spec.trafficPolicy.outlierDetection.consecutive5xxErrors: ' +
        'consecutive5xxErrors -1 is not in range 0–2147483647',
      'spec.trafficPolicy.outlierDetection.interval: interval "soon" is not a valid duration (use e.g. ' +
        '500ms, 7s, 1m30s)',
      'spec.trafficPolicy.outlierDetection.maxEjectionPercent: maxEjectionPercent 150 is not in range 0–100',
      'spec.subsets[0].trafficPolicy.outlierDetection.baseEjectionTime: baseEjectionTime "0.5ms" is shorter than 1ms',
      'spec.subsets[0].trafficPolicy.outlierDetection.minHealthPercent: ' +
        'minHealthPercent must be a whole number, got 2.5',
    ]);
    expect(
      check(
        text
          .replace(
            /outlierDetection: \{ consecutive5xxErrors.*?\}/,
            'outlierDetection: { consecutive5xxErrors: 3, interval: 1m30s }',
          )
          .replace(/outlierDetection: \{ baseEjectionTime.*?\}/, 'outlierDetection: {}'),
      ),
    ).toEqual([]);
  });

  it('refuses a DestinationRule without host', () => {
    expect(
      check(
        'apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: { name: r }\n' +
          'spec: { subsets: [] }\n',
      ),
    ).toEqual(['spec.host: host is required']);
  });

  it('checks Gateway servers: port, protocol, unique port names, hosts', () => {
    expect(
      check(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 80, name: http, protocol: HTTP }
      hosts: ["*"]
    - port: { number: 70000, name: http, protocol: QUIC }
      hosts: []
`),
    ).toEqual([
      'spec.servers[1].hosts: a server needs at least one host',
      'spec.servers[1].port.number: port number 70000 is not in range 1–65535',
      'spec.servers[1].port.protocol: protocol "QUIC" is not one of HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, ' +
        'MONGO, REDIS, MYSQL, TCP, TLS',
      'spec.servers[1].port.name: duplicate server port name "http"',
    ]);
  });
});

describe('Kubernetes objects, lightly', () => {
  it('checks a Deployment’s selector against its template and its containers', () => {
    expect(
      check(`apiVersion: apps/v1
kind: Deployment
metadata: { name: reviews-v1 }
spec:
  selector: { matchLabels: { app: reviews, version: v1 } }
  template:
    metadata: { labels: { app: reviews, version: v2 } }
    spec:
      containers: []
`),
    ).toEqual([
      "spec.selector.matchLabels.version: selector version=v1 does not match the template's labels",
      'spec.template.spec.containers: a Deployment needs at least one container',
    ]);
  });

  it('needs Service ports, valid names, and a known kind for each apiVersion', () => {
    expect(
      check(`apiVersion: v1
kind: Service
metadata: { name: Reviews }
spec: { ports: [{ port: 0 }] }
---
apiVersion: apps/v1
kind: Service
metadata: { name: x }
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: HTTPRoute
metadata: { name: x }
`),
    ).toEqual([
      'metadata.name: name "Reviews" is invalid (lowercase letters, digits, - and .)',
      'spec.ports[0].port: port 0 is not in range 1–65535',
      'kind: unknown kind "Service" for apps/v1 (known: Deployment)',
      expect.stringMatching(/^apiVersion: unknown apiVersion "gateway.networking.k8s.io\/v1alpha2"/),
    ]);
  });

  it('treats v1 and v1beta1 of one group as the same resource when looking for duplicates', () => {
    const issues = validateObjects(
      parseManifests(
        `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: { name: reviews }
spec: { host: reviews }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: prod }
spec: { host: reviews }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec: { host: reviews }
`,
        'm.yaml',
      ),
    );
    expect(issues).toEqual([
      {
        file: 'm.yaml',
        line: 13,
        field: 'metadata.name',
        message: 'duplicate DestinationRule "reviews": already defined at line 1',
      },
    ]);
  });

  it('gives the line of the field at fault', () => {
    const [loaded] = parseManifests(
      vs(`    - route:
        - destination: { host: reviews }
          weight: -5`),
      'm.yaml',
    );
    expect(validateObject(loaded!)).toEqual([
      { file: 'm.yaml', line: 10, field: 'spec.http[0].route[0].weight', message: 'weight -5 is negative' },
    ]);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['7s', 7000],
    ['0.5s', 500],
    ['250ms', 250],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1500us', 1.5],
    ['0', 0],
    ['.5s', 500],
  ])('%s is %d ms', (text, msValue) => expect(parseGoDuration(text)).toBeCloseTo(msValue));
  it.each(['', '7', '7 s', 's', '1d', '-1s', '1s2'])('"%s" is not a duration', (text) =>
    expect(parseGoDuration(text)).toBeUndefined(),
  );
});

describe('VirtualService and DestinationRule exportTo, retries, grpcStatus, derivePort', () => {
  const route = '    - route: [{ destination: { host: reviews } }]';
  it('accepts ".", "*" and namespace names; refuses "~", bad names, duplicates and "*" with others', () => {
    expect(check(vs(route, '\n  exportTo: [".", istio-system]'))).toEqual([]);
    expect(check(vs(route, '\n  exportTo: [default, "."]'))).toEqual([
      'spec.exportTo[1]: duplicate exportTo entries: "." and the object\'s namespace default',
    ]);
    expect(check(vs(route, '\n  exportTo: ["~", "Bad", ".", default, "*"]'))).toEqual([
      'spec.exportTo[0]: exportTo "~" (none) is not allowed for Istio configuration objects',
      'spec.exportTo[1]: exportTo "Bad" is not ".", "*" or a namespace name',
      'spec.exportTo[3]: duplicate exportTo entry "default"',
      'spec.exportTo: exportTo cannot combine "*" (every namespace) with other entries',
    ]);
    expect(
      check(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec:
  host: reviews
  exportTo: ["*", "*"]`),
    ).toEqual([
      'spec.exportTo[1]: duplicate exportTo entry "*"',
      'spec.exportTo: exportTo cannot combine "*" (every namespace) with other entries',
    ]);
  });

  it('refuses retryRemoteLocalities with retries disabled (attempts 0)', () => {
    expect(
      check(
        vs(
          '    - retries: { attempts: 0, retryRemoteLocalities: true }\n' +
            '      route: [{ destination: { host: reviews } }]',
        ),
      ),
    ).toEqual([
      'spec.http[0].retries.attempts: retries sets retryRemoteLocalities but attempts is 0 (retries disabled)',
    ]);
  });

  it('takes a redirect prefixRewrite only instead of uri, and only under prefix uri matches', () => {
    expect(check(vs('    - match: [{ uri: { prefix: /old } }]\n      redirect: { prefixRewrite: /new }'))).toEqual([]);
    expect(
      check(vs('    - match: [{ uri: { exact: /old } }]\n      redirect: { prefixRewrite: /new, uri: /x }')),
    ).toEqual([
      'spec.http[0].redirect.prefixRewrite: redirect may set only one of uri and prefixRewrite',
      'spec.http[0].redirect.prefixRewrite: redirect prefixRewrite needs every uri match of the rule to be a ' +
        'prefix match',
    ]);
  });

  it('takes a gRPC status by name, and derivePort as one of its two values, never with port', () => {
    expect(
      check(
        vs(
          '    - fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 100 } } }\n' +
            '      route: [{ destination: { host: reviews } }]',
        ),
      ),
    ).toEqual([]);
    expect(
      check(vs('    - fault: { abort: { grpcStatus: "14" } }\n      route: [{ destination: { host: reviews } }]'))[0],
    ).toMatch(/^spec\.http\[0\]\.fault\.abort\.grpcStatus: grpcStatus "14" is not a gRPC status name/);
    expect(check(vs('    - redirect: { derivePort: FROM_REQUEST_PORT, uri: /x }'))).toEqual([]);
    expect(check(vs('    - redirect: { derivePort: SOMETIMES, port: 8080 }'))).toEqual([
      'spec.http[0].redirect.derivePort: redirect sets both port and derivePort; use one',
      'spec.http[0].redirect.derivePort: derivePort must be FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT, ' +
        'got "SOMETIMES"',
    ]);
  });
});
