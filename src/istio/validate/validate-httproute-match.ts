/**
 * `HTTPRouteMatch` as the Gateway API's CRD (v1.6.0 standard) validates it: path types and the
 * CEL rules on Exact/PathPrefix values, header and query parameter matches, the method enum.
 * RegularExpression values are compiled as RE2 here, since Istio hands them to Envoy, which
 * refuses a route whose regex does not compile.
 */
import {
  type FieldPath,
  type Issues,
  isMap,
  knownFields,
  NO_SUCH_HEADER_VALUE,
  regex,
  unsendableHeaderValue,
} from './validate-common.js';
import { HEADER_NAME, boundedList, oneOf, patterned, uniqueNames } from './validate-gateway-api-common.js';

export const PATH_TYPES = ['Exact', 'PathPrefix', 'RegularExpression'] as const;
const VALUE_TYPES = ['Exact', 'RegularExpression'] as const;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;
/** The CRD's character class for Exact and PathPrefix values. */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;

export function validateMatch(issues: Issues, value: unknown, path: FieldPath): void {
  if (!isMap(value)) {
    issues.add(path, 'a match must be a mapping (path, headers, queryParams, method)');
    return;
  }
  knownFields(issues, value, path, ['path', 'headers', 'queryParams', 'method']);
  if (value.path !== undefined) validatePath(issues, value.path, [...path, 'path']);
  valueMatches(issues, value.headers, [...path, 'headers'], 'header', 4096);
  valueMatches(issues, value.queryParams, [...path, 'queryParams'], 'query parameter', 1024);
  if (value.method !== undefined) oneOf(issues, value.method, [...path, 'method'], 'method', METHODS);
}

function validatePath(issues: Issues, value: unknown, path: FieldPath): void {
  if (!isMap(value)) {
    issues.add(path, 'path must be a mapping like {type: PathPrefix, value: /static}');
    return;
  }
  knownFields(issues, value, path, ['type', 'value']);
  const type = value.type ?? 'PathPrefix';
  if (!oneOf(issues, type, [...path, 'type'], 'path type', PATH_TYPES)) return;
  const v = value.value ?? '/';
  if (!patterned(issues, v, [...path, 'value'], 'path value', { max: 1024 })) return;
  if (type === 'RegularExpression') {
    regex(issues, v, [...path, 'value']);
    return;
  }
  const problem = pathProblem(v);
  if (problem) issues.add([...path, 'value'], `path ${JSON.stringify(v)} ${problem} (${type} paths)`);
}

/** The CRD's CEL rules for Exact and PathPrefix values, in its order; undefined when none fails. */
export function pathProblem(v: string): string | undefined {
  if (!v.startsWith('/')) return "must be an absolute path starting with '/'";
  for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) if (v.includes(bad)) return `must not contain '${bad}'`;
  for (const end of ['/..', '/.']) if (v.endsWith(end)) return `must not end with '${end}'`;
  if (!PATH_CHARS.test(v)) return 'has characters a path may not hold unescaped';
  return undefined;
}

function valueMatches(issues: Issues, value: unknown, path: FieldPath, what: string, maxValue: number): void {
  const list = boundedList(issues, value, path, 16);
  list.forEach((m, i) => {
    const p = [...path, i];
    if (!isMap(m)) {
      issues.add(p, `a ${what} match must be a mapping with name and value`);
      return;
    }
    knownFields(issues, m, p, ['name', 'value', 'type']);
    patterned(issues, m.name, [...p, 'name'], `${what} name`, {
      pattern: HEADER_NAME,
      min: 1,
      max: 256,
      required: true,
      hint: "letters, digits and !#$%&'*+-.^_`|~",
    });
    const type = m.type ?? 'Exact';
    oneOf(issues, type, [...p, 'type'], `${what} match type`, VALUE_TYPES);
    if (patterned(issues, m.value, [...p, 'value'], `${what} value`, { min: 1, max: maxValue, required: true })) {
      if (type === 'RegularExpression') regex(issues, m.value, [...p, 'value']);
      const bad = what === 'header' && type === 'Exact' ? unsendableHeaderValue(m.value) : null;
      if (bad) issues.add([...p, 'value'], `header value has ${bad}: ${NO_SUCH_HEADER_VALUE}`);
    }
  });
  uniqueNames(issues, list, path, `${what} name`);
}
