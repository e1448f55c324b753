/**
 * One VirtualService `HTTPMatchRequest` → Envoy `RouteMatch`, as istiod translates it: uri to
 * path/prefix/safeRegex, case sensitivity on every VirtualService route, header and query matchers
 * sorted by name, method/authority/scheme as pseudo-header matchers, withoutHeaders inverted.
 */
import type { HeaderMatcher, QueryParameterMatcher, RouteMatch, StringMatcher } from '../envoy/types.js';

/** An Istio StringMatch: one of exact, prefix, regex; `{}` means "present". */
export interface IstioStringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface IstioHttpMatch {
  name?: string;
  uri?: IstioStringMatch;
  scheme?: IstioStringMatch;
  method?: IstioStringMatch;
  authority?: IstioStringMatch;
  headers?: Record<string, IstioStringMatch>;
  withoutHeaders?: Record<string, IstioStringMatch>;
  queryParams?: Record<string, IstioStringMatch>;
  ignoreUriCase?: boolean;
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
}

export function translateMatch(m: IstioHttpMatch | null): RouteMatch {
  const out: RouteMatch = pathSpecifier(m?.uri);
  // As istiod: a rule without a match is `prefix: /` alone; any match states caseSensitive.
  if (!m) return out;
  out.caseSensitive = !m.ignoreUriCase;
  const headers: HeaderMatcher[] = [];
  for (const [name, sm] of Object.entries(m.headers ?? {})) headers.push(headerMatcher(name, sm));
  for (const [name, sm] of Object.entries(m.withoutHeaders ?? {})) {
    const h = headerMatcher(name, sm);
    h.invertMatch = true;
    if (!h.presentMatch) h.treatMissingHeaderAsEmpty = true;
    headers.push(h);
  }
  headers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (m.method) headers.push(headerMatcher(':method', m.method));
  if (m.authority) headers.push(headerMatcher(':authority', m.authority));
  if (m.scheme) headers.push(headerMatcher(':scheme', m.scheme));
  if (headers.length) out.headers = headers;
  const names = Object.keys(m.queryParams ?? {}).sort();
  if (names.length) out.queryParameters = names.map((name) => queryMatcher(name, m.queryParams![name]!));
  return out;
}

function pathSpecifier(uri: IstioStringMatch | undefined): RouteMatch {
  if (uri?.exact !== undefined) return { path: uri.exact };
  if (uri?.prefix !== undefined) return { prefix: uri.prefix };
  if (uri?.regex !== undefined) return { safeRegex: { regex: uri.regex } };
  return { prefix: '/' };
}

/** Istio reads `{}` and `regex: "*"` as "the header is present, with any value". */
function isPresence(sm: IstioStringMatch | undefined): boolean {
  return !sm || (sm.exact === undefined && sm.prefix === undefined && (sm.regex === undefined || sm.regex === '*'));
}

function stringMatcher(sm: IstioStringMatch): StringMatcher {
  if (sm.exact !== undefined) return { exact: sm.exact };
  if (sm.prefix !== undefined) return { prefix: sm.prefix };
  return { safeRegex: { regex: sm.regex! } };
}

function headerMatcher(name: string, sm: IstioStringMatch | undefined): HeaderMatcher {
  // The name stays as written; Envoy compares header names case-insensitively.
  return isPresence(sm) ? { name, presentMatch: true } : { name, stringMatch: stringMatcher(sm!) };
}

function queryMatcher(name: string, sm: IstioStringMatch): QueryParameterMatcher {
  return isPresence(sm) ? { name, presentMatch: true } : { name, stringMatch: stringMatcher(sm) };
}

/** Istio's IsCatchAllRoute: prefix "/" or regex ".*", with no header or query conditions. */
export function isCatchAll(m: RouteMatch): boolean {
  if (m.headers?.length || m.queryParameters?.length) return false;
  return m.prefix === '/' || m.safeRegex?.regex === '.*' || m.safeRegex?.regex === '*';
}
