/**
 * Envoy's matchers compiled once from route JSON into plain predicates: string matchers (regexes
 * are RE2 via re2js and must match the whole value), header matchers with Envoy's rules for
 * missing headers and inversion, and query parameter matchers.
 */
import { RE2JS } from 're2js';
import type { HeaderMatcher, QueryParameterMatcher, StringMatcher } from '../envoy/types.js';
import type { MatchInput } from './match-input.js';

export type StringPredicate = (value: string) => boolean;

/** Compiles an RE2 pattern; invalid patterns are a config error for the caller to report. */
export function compileRegex(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

export function compileStringMatcher(m: StringMatcher): StringPredicate {
  const ic = m.ignoreCase === true;
  const norm = (s: string) => (ic ? s.toLowerCase() : s);
  if (m.exact !== undefined) {
    const want = norm(m.exact);
    return (v) => norm(v) === want;
  }
  if (m.prefix !== undefined) {
    const want = norm(m.prefix);
    return (v) => norm(v).startsWith(want);
  }
  if (m.suffix !== undefined) {
    const want = norm(m.suffix);
    return (v) => norm(v).endsWith(want);
  }
  if (m.contains !== undefined) {
    const want = norm(m.contains);
    return (v) => norm(v).includes(want);
  }
  if (m.safeRegex) {
    const re = compileRegex(m.safeRegex.regex);
    return (v) => re.matches(v);
  }
  throw new Error(`string matcher with no pattern: ${JSON.stringify(m)}`);
}

export type RequestPredicate = (req: MatchInput) => boolean;

/**
 * Envoy's header matching: a missing header fails the match (or, inverted, passes only a
 * presence matcher) unless `treatMissingHeaderAsEmpty`, in which case it is matched as "".
 */
export function compileHeaderMatcher(h: HeaderMatcher): RequestPredicate {
  const name = h.name.toLowerCase();
  const invert = h.invertMatch === true;
  const treatMissingAsEmpty = h.treatMissingHeaderAsEmpty === true;
  const isPresence = !h.stringMatch;
  const present = h.presentMatch !== false;
  const test: StringPredicate = h.stringMatch ? compileStringMatcher(h.stringMatch) : () => present;
  return (req) => {
    const value = req.header(name);
    if (value === undefined && !treatMissingAsEmpty) {
      return invert ? isPresence && present : isPresence && !present;
    }
    return test(value ?? '') !== invert;
  };
}

export function compileQueryMatcher(q: QueryParameterMatcher): RequestPredicate {
  const test = q.stringMatch ? compileStringMatcher(q.stringMatch) : null;
  return (req) => {
    const value = req.queryParam(q.name);
    if (value === undefined) return false;
    return test ? test(value) : q.presentMatch !== false;
  };
}
