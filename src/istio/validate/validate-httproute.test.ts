import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../kube/manifest.js';
import { validateObjects } from './validate.js';

/** `line field: message` of every issue in a YAML text. */
function check(text: string): string[] {
  return validateObjects(parseManifests(text, 'm.yaml')).map((i) => `${i.line} ${i.field}: ${i.message}`);
}

function route(rules: string, parents = '    - { group: "", kind: Service, name: reviews, port: 9080 }'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
spec:
  parentRefs:
${parents}
  rules:
${rules}`;
}

const backend = (extra = '') => `      backendRefs:\n        - { name: reviews-v1, port: 9080${extra} }`;

describe('HTTPRoute, as the Gateway API v1.6.0 standard CRD validates it', () => {
  it('accepts the twin of a weighted VirtualService', () => {
    expect(
      check(
        route(
          '    - backendRefs:\n        - { name: reviews-v1, port: 9080, weight: 50 }\n' +
            '        - { name: reviews-v3, port: 9080, weight: 50 }',
        ),
      ),
    ).toEqual([]);
  });

  it('weights: whole numbers in 0–1,000,000; a quoted number is named as such', () => {
    expect(
      check(
        route(
          '    - backendRefs:\n        - { name: a, port: 9080, weight: "50" }\n' +
            '        - { name: b, port: 9080, weight: fifty }\n' +
            '        - { name: c, port: 9080, weight: 1000001 }\n' +
            '        - { name: d, port: 9080, weight: -1 }\n        - { name: e, port: 9080, weight: 0.5 }',
        ),
      ),
    ).toEqual([
      '10 spec.rules[0].backendRefs[0].weight: weight must be a number, not the string "50" (remove the quotes)',
      '11 spec.rules[0].backendRefs[1].weight: weight must be a whole number, got "fifty"',
      '12 spec.rules[0].backendRefs[2].weight: weight 1000001 is not in range 0–1000000',
      '13 spec.rules[0].backendRefs[3].weight: weight -1 is not in range 0–1000000',
      '14 spec.rules[0].backendRefs[4].weight: weight must be a whole number, got 0.5',
    ]);
  });

  it('a Service backendRef needs a port and a name without dots; other kinds are refused', () => {
    expect(
      check(
        route(
          '    - backendRefs:\n        - { name: reviews-v1 }\n' +
            '        - { name: reviews.default.svc.cluster.local, port: 9080 }\n' +
            '        - { group: networking.istio.io, kind: ServiceEntry, name: x, port: 1 }',
        ),
      ),
    ).toEqual([
      '10 spec.rules[0].backendRefs[0].port: a Service backendRef needs a port',
      '11 spec.rules[0].backendRefs[1].name: name the Service, not its hostname: ' +
        'Istio refuses a backendRef name with a dot',
      '12 spec.rules[0].backendRefs[2].kind: backendRef networking.istio.io/ServiceEntry is not a backend ' +
        'meshproof can route to (a Service, group "")',
    ]);
  });

  it('an unknown filter type, a filter without its field, a repeated or combined filter', () => {
    const text = route(`    - filters:
        - type: RequestRewrite
        - type: RequestHeaderModifier
        - type: RequestHeaderModifier
          requestHeaderModifier: { set: [{ name: x-a, value: "1" }] }
        - type: URLRewrite
          urlRewrite: { hostname: example.com }
        - type: RequestRedirect
          requestRedirect: { statusCode: 304 }
${backend()}`);
    expect(check(text)).toEqual([
      '10 spec.rules[0].filters[0].type: filter type "RequestRewrite" is not one of RequestHeaderModifier, ' +
        'ResponseHeaderModifier, RequestMirror, RequestRedirect, URLRewrite, ExtensionRef, CORS',
      '11 spec.rules[0].filters[1].requestHeaderModifier: ' +
        'filter.requestHeaderModifier must be set for a RequestHeaderModifier filter',
      '17 spec.rules[0].filters[4].requestRedirect.statusCode: statusCode 304 is not one of 301, 302, 303, 307, 308',
      '12 spec.rules[0].filters[2].type: RequestHeaderModifier filter cannot be repeated',
      '14 spec.rules[0].filters[3].type: a RequestRedirect and a URLRewrite filter cannot be used together',
      '18 spec.rules[0].backendRefs: a rule with a RequestRedirect filter cannot have backendRefs',
    ]);
  });

  it('Istio refuses ExtensionRef filters and non-header filters inside a backendRef', () => {
    const text = route(`    - filters:
        - type: ExtensionRef
          extensionRef: { group: example.com, kind: Thing, name: t }
      backendRefs:
        - name: reviews-v1
          port: 9080
          filters:
            - type: RequestMirror
              requestMirror: { backendRef: { name: reviews-v2, port: 9080 } }`);
    expect(check(text)).toEqual([
      '10 spec.rules[0].filters[0].type: Istio supports no ExtensionRef filter: ' +
        'it would refuse the route (InvalidFilter)',
      '16 spec.rules[0].backendRefs[0].filters[0].type: ' +
        'Istio takes only header modifier filters inside a backendRef, not RequestMirror: ' +
        'it would refuse the route (InvalidFilter)',
    ]);
  });

  it('path values: the CEL rules for Exact and PathPrefix, RE2 for RegularExpression, the type enum', () => {
    const m = (p: string) => `        - path: ${p}`;
    const text = route(`    - matches:
${m('{ type: Exact, value: productpage }')}
${m('{ type: PathPrefix, value: "/a//b" }')}
${m('{ type: PathPrefix, value: "/a/.." }')}
${m('{ type: RegularExpression, value: "/(a" }')}
${m('{ type: Glob, value: "/a*" }')}
${m('{ type: PathPrefix, value: "/static" }')}
${backend()}`);
    expect(check(text)).toEqual([
      '10 spec.rules[0].matches[0].path.value: path "productpage" must be an absolute path starting with ' +
        "'/' (Exact paths)",
      '11 spec.rules[0].matches[1].path.value: path "/a//b" must not contain \'//\' (PathPrefix paths)',
      '12 spec.rules[0].matches[2].path.value: path "/a/.." must not end with \'/..\' (PathPrefix paths)',
      expect.stringMatching(/^13 spec\.rules\[0\]\.matches\[3\]\.path\.value: regex does not compile as RE2/),
      '14 spec.rules[0].matches[4].path.type: path type "Glob" is not one of Exact, PathPrefix, RegularExpression',
    ]);
  });

  it('header matches: name format, value required, unique names, at most 16', () => {
    const many = Array.from({ length: 17 }, (_, i) => `            - { name: h${i}, value: x }`).join('\n');
    const text = route(`    - matches:
        - headers:
            - { name: "end user", value: jason }
            - { name: end-user }
            - { name: x, value: a }
            - { name: x, value: b, type: Prefix }
        - headers:
${many}
${backend()}`);
    expect(check(text)).toEqual([
      '11 spec.rules[0].matches[0].headers[0].name: header name "end user" is not valid (letters, ' +
        "digits and !#$%&'*+-.^_`|~)",
      '12 spec.rules[0].matches[0].headers[1].value: header value is required',
      '14 spec.rules[0].matches[0].headers[3].type: header match type "Prefix" is not one of Exact, RegularExpression',
      '14 spec.rules[0].matches[0].headers[3].name: duplicate header name "x"',
      '15 spec.rules[0].matches[1].headers: spec.rules[0].matches[1].headers has 17 entries; ' +
        'the Gateway API allows at most 16',
    ]);
  });

  it('limits: 16 rules, 64 matches per rule, 128 matches per route, 16 backendRefs', () => {
    const matches = (n: number) => Array.from({ length: n }, (_, i) => `        - path: { value: /p${i} }`).join('\n');
    const rules = (count: number, each: number) =>
      Array.from({ length: count }, () => `    - matches:\n${matches(each)}\n${backend()}`).join('\n');
    expect(check(route(rules(17, 1)))).toEqual([
      '8 spec.rules: spec.rules has 17 entries; the Gateway API allows at most 16',
    ]);
    expect(check(route(rules(1, 65)))).toEqual([
      '9 spec.rules[0].matches: spec.rules[0].matches has 65 entries; the Gateway API allows at most 64',
    ]);
    expect(check(route(rules(3, 43)))).toEqual([
      '8 spec.rules: the rules hold 129 matches; the Gateway API allows at most 128 over all rules of a route',
    ]);
    const backends = Array.from({ length: 17 }, (_, i) => `        - { name: b${i}, port: 9080 }`).join('\n');
    expect(check(route(`    - backendRefs:\n${backends}`))).toEqual([
      '9 spec.rules[0].backendRefs: spec.rules[0].backendRefs has 17 entries; the Gateway API allows at most 16',
    ]);
  });

  it('parentRefs: required, Gateway or Service only, sectionName needed to name a parent twice', () => {
    expect(
      check(
        route(
          backend().replace('      backendRefs', '    - backendRefs'),
          '    - { group: networking.istio.io, kind: Gateway, name: g }\n    - { name: gw }\n    - { name: gw }',
        ),
      ),
    ).toEqual([
      '7 spec.parentRefs[0].kind: parentRef networking.istio.io/Gateway is not a parent meshproof routes ' +
        'through: a Gateway (group gateway.networking.k8s.io) or a Service (group "")',
      '9 spec.parentRefs[2].sectionName: sectionName must be set when parentRefs name the same parent more than once',
    ]);
    const none =
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: r }\nspec:\n' +
      '  rules: [{ backendRefs: [{ name: a, port: 1 }] }]\n';
    expect(check(none)).toEqual([
      '4 spec.parentRefs: an HTTPRoute needs parentRefs: a Gateway (ingress) or a Service (mesh); ' +
        'without one no proxy applies it',
    ]);
  });

  it('timeouts: the Gateway API duration form, backendRequest no longer than request', () => {
    expect(check(route(`    - timeouts: { request: 1s, backendRequest: 2s }\n${backend()}`))).toEqual([
      '9 spec.rules[0].timeouts.backendRequest: backendRequest timeout cannot be longer than request timeout',
    ]);
    expect(check(route(`    - timeouts: { request: 1.5s }\n${backend()}`))).toEqual([
      '9 spec.rules[0].timeouts.request: request timeout "1.5s" is not valid (a Gateway API duration such as ' +
        '500ms, 10s or 1h30m)',
    ]);
    expect(check(route(`    - timeouts: { request: 0s, backendRequest: 2s }\n${backend()}`))).toEqual([]);
  });

  it('unknown fields are refused, including experimental-channel ones the standard CRDs lack', () => {
    expect(check(route(`    - retry: { attempts: 2 }\n${backend()}`))).toEqual([
      '9 spec.rules[0].retry: unknown field "retry" (known here: name, matches, filters, backendRefs, timeouts)',
    ]);
  });
});

describe('Gateway, as the Gateway API v1.6.0 standard CRD validates it', () => {
  const gw = (listeners: string) =>
    'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: g }\nspec:\n' +
    `  gatewayClassName: istio\n  listeners:\n${listeners}`;
  it('needs listeners with unique names and port/protocol/hostname, tls only where it belongs', () => {
    expect(check(gw('    - { name: http, port: 80, protocol: HTTP }'))).toEqual([]);
    expect(
      check(
        gw(
          '    - { name: http, port: 80, protocol: HTTP, tls: { mode: Terminate } }\n' +
            '    - { name: http, port: 80, protocol: HTTP }\n    - { name: x, port: 70000, protocol: "H T" }',
        ),
      ),
    ).toEqual([
      '7 spec.listeners[0].tls: tls must not be set for protocol HTTP',
      '8 spec.listeners[1].name: listener name "http" must be unique within the Gateway',
      '8 spec.listeners[1].port: the combination of port, protocol and hostname must be unique for each listener',
      '9 spec.listeners[2].port: listener port 70000 is not in range 1–65535',
      '9 spec.listeners[2].protocol: listener protocol "H T" is not valid (HTTP, HTTPS, TLS, TCP)',
    ]);
    expect(check('apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: g }\nspec: {}\n')).toEqual(
      [
        '4 spec.gatewayClassName: gatewayClassName is required',
        '4 spec.listeners: a Gateway needs at least one listener',
      ],
    );
  });
});
