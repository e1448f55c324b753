/**
 * What istiod writes differently for a VirtualService generated from a Gateway API route
 * (pilot/pkg/networking/core/route/route.go, UseGatewaySemantics): a prefix other than "/"
 * becomes `pathSeparatedPrefix` (whole segments, trailing "/" dropped), a backend that does not
 * exist answers 500 instead of 503, and a prefix rewrite to "/" strips the prefix with a regex so
 * that no empty path or "//" results.
 */
import type { Route } from '../envoy/types.js';
import type { IstioHttpRoute } from './action.js';

export function withGatewaySemantics(route: Route, rule: IstioHttpRoute): Route {
  const m = route.match;
  const prefix = m.prefix;
  if (prefix !== undefined && prefix !== '/') {
    delete m.prefix;
    route.match = { pathSeparatedPrefix: prefix.replace(/\/$/, ''), ...m };
  }
  const action = route.route;
  if (!action) return route;
  action.clusterNotFoundResponseCode = 'INTERNAL_SERVER_ERROR';
  if (rule.rewrite?.uri === '/' && route.match.pathSeparatedPrefix !== undefined) {
    delete action.prefixRewrite;
    action.regexRewrite = {
      pattern: { regex: `^${escapeRegex(route.match.pathSeparatedPrefix)}(/?)(.*)` },
      substitution: '/\\2',
    };
  }
  return route;
}

/** Go's regexp.QuoteMeta. */
function escapeRegex(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
