/**
 * VirtualService checks, as Istio's validation webhook makes them (1.15+ rules: weights need not
 * sum to 100, only be non-negative with a positive total when a rule has several destinations),
 * plus the CRD schema's refusal of unknown fields.
 */
import {
  type FieldPath,
  type Issues,
  duration,
  exportTo,
  intIn,
  isDnsLabel,
  isMap,
  knownFields,
  labelMap,
  listAt,
  mapAt,
  matchMap,
  controlInHeaderValue,
  nonEmptyString,
  percentage,
  port,
  stringMatch,
} from './validate-common.js';
import { GRPC_CODES } from './grpc-codes.js';

const SPEC = ['hosts', 'gateways', 'http', 'tls', 'tcp', 'exportTo'];
const HTTP_ROUTE = [
  'name',
  'match',
  'route',
  'redirect',
  'directResponse',
  'delegate',
  'rewrite',
  'timeout',
  'retries',
  'fault',
  'mirror',
  'mirrors',
  'mirrorPercentage',
  'mirrorPercent',
  'corsPolicy',
  'headers',
];
const MATCH = [
  'name',
  'uri',
  'scheme',
  'method',
  'authority',
  'headers',
  'port',
  'sourceLabels',
  'gateways',
  'queryParams',
  'ignoreUriCase',
  'withoutHeaders',
  'sourceNamespace',
  'statPrefix',
];
const HTTP_DESTINATION = ['destination', 'weight', 'headers'];
const L4_DESTINATION = ['destination', 'weight'];
const DESTINATION = ['host', 'subset', 'port'];
const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

export function validateVirtualService(issues: Issues, spec: unknown, namespace = 'default'): void {
  const s = mapAt(issues, spec, ['spec'], 'spec');
  if (!s) return;
  knownFields(issues, s, ['spec'], SPEC);
  const hosts = listAt(issues, s.hosts, ['spec', 'hosts']);
  // Without hosts a VirtualService is a delegate: only a root VirtualService's rules use it.
  const isDelegate = hosts.length === 0;
  if (isDelegate) {
    for (const k of ['gateways', 'tcp', 'tls'] as const) {
      if (Array.isArray(s[k]) && s[k].length)
        issues.add(['spec', k], `a delegate VirtualService (one without hosts) must not set ${k}`);
    }
  }
  if (s.exportTo !== undefined) exportTo(issues, s.exportTo, ['spec', 'exportTo'], namespace);
  const gateways = listAt(issues, s.gateways, ['spec', 'gateways']);
  const mesh = gateways.length === 0 || gateways.includes('mesh');
  hosts.forEach((h, i) => {
    if (!nonEmptyString(issues, h, ['spec', 'hosts', i], 'host')) return;
    if (h === '*' && mesh)
      issues.add(
        ['spec', 'hosts', i],
        'host "*" is not allowed for a VirtualService that applies to the mesh (sidecars)',
      );
  });
  gateways.forEach((g, i) => nonEmptyString(issues, g, ['spec', 'gateways', i], 'gateway name'));
  const http = listAt(issues, s.http, ['spec', 'http']);
  const tcp = listAt(issues, s.tcp, ['spec', 'tcp']);
  const tls = listAt(issues, s.tls, ['spec', 'tls']);
  if (http.length + tcp.length + tls.length === 0)
    issues.add(['spec'], 'a VirtualService needs http, tcp or tls rules');
  http.forEach((rule, i) => httpRoute(issues, rule, ['spec', 'http', i], isDelegate));
  tcp.forEach((rule, i) => l4Route(issues, rule, ['spec', 'tcp', i]));
  tls.forEach((rule, i) => l4Route(issues, rule, ['spec', 'tls', i]));
}

function httpRoute(issues: Issues, value: unknown, path: FieldPath, inDelegate: boolean): void {
  const rule = mapAt(issues, value, path, 'an http rule');
  if (!rule) return;
  knownFields(issues, rule, path, HTTP_ROUTE);
  if (rule.delegate !== undefined && rule.delegate !== null) delegateRule(issues, rule, path, inDelegate);
  else conflicts(issues, rule, path);
  listAt(issues, rule.match, [...path, 'match']).forEach((m, i) => match(issues, m, [...path, 'match', i]));
  if (rule.route !== undefined) destinations(issues, rule.route, [...path, 'route'], HTTP_DESTINATION);
  if (rule.fault !== undefined) fault(issues, rule.fault, [...path, 'fault']);
  if (rule.timeout !== undefined) duration(issues, rule.timeout, [...path, 'timeout'], 'timeout');
  if (rule.retries !== undefined) retries(issues, rule.retries, [...path, 'retries']);
  if (rule.redirect !== undefined) redirect(issues, rule.redirect, [...path, 'redirect'], rule.match);
  if (rule.mirror !== undefined) destination(issues, rule.mirror, [...path, 'mirror']);
  if (rule.mirrorPercentage !== undefined) percentage(issues, rule.mirrorPercentage, [...path, 'mirrorPercentage']);
  if (rule.rewrite !== undefined) {
    const rw = mapAt(issues, rule.rewrite, [...path, 'rewrite'], 'rewrite');
    if (rw) knownFields(issues, rw, [...path, 'rewrite'], ['uri', 'authority', 'uriRegexRewrite']);
  }
  if (rule.headers !== undefined) headerOperations(issues, rule.headers, [...path, 'headers']);
}

/** A root rule handing its traffic to a delegate VirtualService: it may not route or redirect itself. */
function delegateRule(issues: Issues, rule: Record<string, unknown>, path: FieldPath, inDelegate: boolean): void {
  const p = [...path, 'delegate'];
  if (inDelegate) issues.add(p, "a delegate VirtualService's rule cannot delegate again");
  const d = mapAt(issues, rule.delegate, p, 'delegate');
  if (d) {
    knownFields(issues, d, p, ['name', 'namespace']);
    nonEmptyString(issues, d.name, [...p, 'name'], 'delegate name');
    if (d.namespace !== undefined && !(typeof d.namespace === 'string' && isDnsLabel(d.namespace)))
      issues.add(
        [...p, 'namespace'],
        `delegate namespace ${JSON.stringify(d.namespace)} is not a valid namespace name`,
      );
  }
  for (const k of ['route', 'redirect'] as const)
    if (rule[k] !== undefined)
      issues.add([...path, k], `a rule with a delegate must not set ${k} (the delegate's rules route)`);
}

/** Which actions a rule may combine: exactly one of route, redirect, directResponse (or a delegate). */
function conflicts(issues: Issues, rule: Record<string, unknown>, path: FieldPath): void {
  const has = (k: string) => rule[k] !== undefined && rule[k] !== null;
  const hasRoute = Array.isArray(rule.route) && rule.route.length > 0;
  if (has('redirect')) {
    for (const other of ['route', 'fault', 'rewrite', 'directResponse']) {
      if (has(other)) issues.add([...path, other], `an http rule cannot combine redirect with ${other}`);
    }
  } else if (has('directResponse')) {
    for (const other of ['route', 'fault', 'rewrite']) {
      if (has(other)) issues.add([...path, other], `an http rule cannot combine directResponse with ${other}`);
    }
  } else if (!hasRoute && !has('delegate')) {
    issues.add(has('route') ? [...path, 'route'] : path, 'an http rule needs a route, a redirect or a directResponse');
  }
}

function match(issues: Issues, value: unknown, path: FieldPath): void {
  const m = mapAt(issues, value, path, 'a match entry');
  if (!m) return;
  knownFields(issues, m, path, MATCH);
  for (const k of ['uri', 'scheme', 'method', 'authority'] as const) {
    if (k in m) stringMatch(issues, m[k], [...path, k], `${k} match`, false);
  }
  matchMap(issues, m.headers, [...path, 'headers'], 'header');
  matchMap(issues, m.withoutHeaders, [...path, 'withoutHeaders'], 'header');
  matchMap(issues, m.queryParams, [...path, 'queryParams'], 'query parameter');
  if (m.port !== undefined) port(issues, m.port, [...path, 'port']);
  if (m.sourceLabels !== undefined) labelMap(issues, m.sourceLabels, [...path, 'sourceLabels'], 'sourceLabels');
  if (m.ignoreUriCase !== undefined && typeof m.ignoreUriCase !== 'boolean')
    issues.add([...path, 'ignoreUriCase'], 'ignoreUriCase must be true or false');
  listAt(issues, m.gateways, [...path, 'gateways']).forEach((g, i) =>
    nonEmptyString(issues, g, [...path, 'gateways', i], 'gateway name'),
  );
  if (m.sourceNamespace !== undefined && !(typeof m.sourceNamespace === 'string' && isDnsLabel(m.sourceNamespace))) {
    issues.add(
      [...path, 'sourceNamespace'],
      `sourceNamespace ${JSON.stringify(m.sourceNamespace)} is not a valid namespace name`,
    );
  }
}

/** Route destinations: each with a host; weights whole and non-negative; a positive total when several. */
function destinations(issues: Issues, value: unknown, path: FieldPath, known: readonly string[]): void {
  const list = listAt(issues, value, path);
  let total = 0;
  list.forEach((d, i) => {
    const p = [...path, i];
    const entry = mapAt(issues, d, p, 'a route destination');
    if (!entry) return;
    knownFields(issues, entry, p, known);
    destination(issues, entry.destination, [...p, 'destination']);
    if (entry.headers !== undefined) headerOperations(issues, entry.headers, [...p, 'headers']);
    if (entry.weight === undefined) return;
    if (typeof entry.weight !== 'number' || !Number.isInteger(entry.weight)) {
      issues.add([...p, 'weight'], `weight must be a whole number, got ${JSON.stringify(entry.weight)}`);
    } else if (entry.weight < 0) {
      issues.add([...p, 'weight'], `weight ${entry.weight} is negative`);
    } else total += entry.weight;
  });
  if (list.length > 1 && total === 0)
    issues.add(path, "the destinations' weights total 0: at least one must be positive");
}

function destination(issues: Issues, value: unknown, path: FieldPath): void {
  const d = mapAt(issues, value, path, 'destination');
  if (!d) return;
  knownFields(issues, d, path, DESTINATION);
  if (nonEmptyString(issues, d.host, [...path, 'host'], 'destination host') && d.host === '*') {
    issues.add([...path, 'host'], 'destination host cannot be "*"');
  }
  if (d.subset !== undefined && !(typeof d.subset === 'string' && isDnsLabel(d.subset))) {
    issues.add(
      [...path, 'subset'],
      `subset name ${JSON.stringify(d.subset)} is invalid (lowercase letters, digits and -)`,
    );
  }
  if (d.port !== undefined) {
    const p = mapAt(issues, d.port, [...path, 'port'], 'port');
    if (p) {
      knownFields(issues, p, [...path, 'port'], ['number']);
      port(issues, p.number, [...path, 'port', 'number']);
    }
  }
}

function l4Route(issues: Issues, value: unknown, path: FieldPath): void {
  const rule = mapAt(issues, value, path, 'a rule');
  if (!rule) return;
  knownFields(issues, rule, path, ['match', 'route']);
  if (!Array.isArray(rule.route) || rule.route.length === 0) issues.add([...path, 'route'], 'route is required');
  else destinations(issues, rule.route, [...path, 'route'], L4_DESTINATION);
}

function fault(issues: Issues, value: unknown, path: FieldPath): void {
  const f = mapAt(issues, value, path, 'fault');
  if (!f) return;
  knownFields(issues, f, path, ['delay', 'abort']);
  if (f.delay === undefined && f.abort === undefined) issues.add(path, 'fault needs a delay or an abort (or both)');
  if (f.delay !== undefined) {
    const p = [...path, 'delay'];
    const d = mapAt(issues, f.delay, p, 'delay');
    if (d) {
      knownFields(issues, d, p, ['fixedDelay', 'exponentialDelay', 'percentage', 'percent']);
      if (d.exponentialDelay !== undefined)
        issues.add([...p, 'exponentialDelay'], 'exponentialDelay is not supported by Istio');
      else if (d.fixedDelay === undefined) issues.add(p, 'delay needs fixedDelay');
      else duration(issues, d.fixedDelay, [...p, 'fixedDelay'], 'fixedDelay');
      percentage(issues, d.percentage, [...p, 'percentage']);
      if (d.percent !== undefined) intIn(issues, d.percent, [...p, 'percent'], 'percent', 0, 100);
    }
  }
  if (f.abort !== undefined) {
    const p = [...path, 'abort'];
    const a = mapAt(issues, f.abort, p, 'abort');
    if (a) {
      knownFields(issues, a, p, ['httpStatus', 'grpcStatus', 'http2Error', 'percentage']);
      if (a.http2Error !== undefined) issues.add([...p, 'http2Error'], 'http2Error aborts are not supported by Istio');
      else if (a.httpStatus !== undefined)
        intIn(issues, a.httpStatus, [...p, 'httpStatus'], 'abort httpStatus', 200, 599);
      else if (a.grpcStatus === undefined) issues.add(p, 'abort needs httpStatus (or grpcStatus)');
      else if (!(GRPC_CODES as readonly unknown[]).includes(a.grpcStatus))
        issues.add(
          [...p, 'grpcStatus'],
          `grpcStatus ${JSON.stringify(a.grpcStatus)} is not a gRPC status name (${GRPC_CODES.join(', ')})`,
        );
      percentage(issues, a.percentage, [...p, 'percentage']);
    }
  }
}

function retries(issues: Issues, value: unknown, path: FieldPath): void {
  const r = mapAt(issues, value, path, 'retries');
  if (!r) return;
  knownFields(issues, r, path, [
    'attempts',
    'perTryTimeout',
    'retryOn',
    'retryRemoteLocalities',
    'retryIgnorePreviousHosts',
    'backoff',
  ]);
  const attempts = r.attempts ?? 0;
  intIn(issues, attempts, [...path, 'attempts'], 'attempts', 0, 2 ** 31 - 1);
  if (attempts === 0 && (r.perTryTimeout !== undefined || r.retryOn !== undefined)) {
    issues.add([...path, 'attempts'], 'retries sets perTryTimeout or retryOn but attempts is 0 (retries disabled)');
  } else if (attempts === 0 && r.retryRemoteLocalities !== undefined) {
    issues.add([...path, 'attempts'], 'retries sets retryRemoteLocalities but attempts is 0 (retries disabled)');
  }
  if (r.perTryTimeout !== undefined) duration(issues, r.perTryTimeout, [...path, 'perTryTimeout'], 'perTryTimeout');
  if (r.backoff !== undefined) duration(issues, r.backoff, [...path, 'backoff'], 'backoff');
  if (r.retryOn !== undefined) {
    if (typeof r.retryOn !== 'string') issues.add([...path, 'retryOn'], 'retryOn must be a comma-separated string');
    else {
      for (const policy of r.retryOn.split(',')) {
        const code = Number(policy);
        if (!RETRY_ON.has(policy) && !(Number.isInteger(code) && code >= 100 && code <= 599)) {
          issues.add([...path, 'retryOn'], `"${policy}" is not a valid retryOn policy`);
        }
      }
    }
  }
}

function redirect(issues: Issues, value: unknown, path: FieldPath, matches: unknown): void {
  const r = mapAt(issues, value, path, 'redirect');
  if (!r) return;
  if (r.prefixRewrite !== undefined) {
    if (r.uri !== undefined)
      issues.add([...path, 'prefixRewrite'], 'redirect may set only one of uri and prefixRewrite');
    const nonPrefix = (Array.isArray(matches) ? matches : []).some(
      (m) => isMap(m) && isMap(m.uri) && m.uri.prefix === undefined,
    );
    if (nonPrefix)
      issues.add(
        [...path, 'prefixRewrite'],
        'redirect prefixRewrite needs every uri match of the rule to be a prefix match',
      );
  }
  knownFields(issues, r, path, ['uri', 'authority', 'port', 'derivePort', 'scheme', 'redirectCode', 'prefixRewrite']);
  if (
    r.uri === undefined &&
    r.authority === undefined &&
    r.port === undefined &&
    r.scheme === undefined &&
    r.derivePort === undefined &&
    r.prefixRewrite === undefined
  ) {
    issues.add(path, 'redirect must set uri, authority, scheme or port');
  }
  if (r.redirectCode !== undefined) intIn(issues, r.redirectCode, [...path, 'redirectCode'], 'redirectCode', 300, 399);
  if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https')
    issues.add([...path, 'scheme'], 'redirect scheme must be "http" or "https"');
  if (r.port !== undefined) port(issues, r.port, [...path, 'port']);
  if (r.derivePort !== undefined && r.port !== undefined)
    issues.add([...path, 'derivePort'], 'redirect sets both port and derivePort; use one');
  if (r.derivePort !== undefined && r.derivePort !== 'FROM_PROTOCOL_DEFAULT' && r.derivePort !== 'FROM_REQUEST_PORT') {
    issues.add(
      [...path, 'derivePort'],
      `derivePort must be FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT, got ${JSON.stringify(r.derivePort)}`,
    );
  }
}

function headerOperations(issues: Issues, value: unknown, path: FieldPath): void {
  const h = mapAt(issues, value, path, 'headers');
  if (!h) return;
  knownFields(issues, h, path, ['request', 'response']);
  for (const side of ['request', 'response'] as const) {
    if (h[side] === undefined) continue;
    const p = [...path, side];
    const ops = mapAt(issues, h[side], p, side);
    if (!ops) continue;
    knownFields(issues, ops, p, ['set', 'add', 'remove']);
    for (const op of ['set', 'add'] as const) {
      if (ops[op] === undefined) continue;
      const values = mapAt(issues, ops[op], [...p, op], op);
      for (const [name, v] of Object.entries(values ?? {})) {
        if (typeof v !== 'string') issues.add([...p, op, name], `header ${name} must have a string value`);
        else {
          const bad = controlInHeaderValue(v);
          if (bad)
            issues.add(
              [...p, op, name],
              `header ${name} value has ${bad}: ` +
                "Istio's webhook refuses control characters in a header value (only a tab is allowed)",
            );
        }
      }
    }
    listAt(issues, ops.remove, [...p, 'remove']).forEach((n, i) =>
      nonEmptyString(issues, n, [...p, 'remove', i], 'header name'),
    );
  }
}
