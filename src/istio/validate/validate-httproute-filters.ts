/**
 * `HTTPRouteFilter` as the Gateway API's CRD (v1.6.0 standard) validates it — the type enum, the
 * field that must match the type, the filters that may not repeat or combine — plus what Istio
 * refuses when it translates the route: ExtensionRef filters (InvalidFilter) and, inside a
 * backendRef, anything but the header modifiers.
 */
import { type FieldPath, type Issues, intIn, isMap, knownFields, mapAt } from './validate-common.js';
import {
  HEADER_NAME,
  HOSTNAME,
  boundedList,
  objectRefAt,
  oneOf,
  patterned,
  uniqueNames,
  isServiceRef,
} from './validate-gateway-api-common.js';

export const FILTER_TYPES = [
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestMirror',
  'RequestRedirect',
  'URLRewrite',
  'ExtensionRef',
  'CORS',
] as const;
type FilterType = (typeof FILTER_TYPES)[number];

/** The field each filter type carries its settings in. */
const FIELD: Record<FilterType, string> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
};
const NOT_REPEATED: FilterType[] = [
  'CORS',
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestRedirect',
  'URLRewrite',
];

/** Validates a rule's (or a backendRef's) filters; returns the types seen, in order. */
export function validateFilters(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  where: 'rule' | 'backendRef',
): FilterType[] {
  const list = boundedList(issues, value, path, 16);
  // Aligned with the list (undefined for a filter without a usable type), so indexes name the entry.
  const types = list.map((f, i) => validateFilter(issues, f, [...path, i], where));
  for (const t of NOT_REPEATED) {
    const at = types.map((x, i) => (x === t ? i : -1)).filter((i) => i >= 0);
    if (at.length > 1) issues.add([...path, at[1]!, 'type'], `${t} filter cannot be repeated`);
  }
  if (types.includes('RequestRedirect') && types.includes('URLRewrite')) {
    issues.add(
      [...path, types.indexOf('URLRewrite'), 'type'],
      'a RequestRedirect and a URLRewrite filter cannot be used together',
    );
  }
  return types.filter((t): t is FilterType => t !== undefined);
}

function validateFilter(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  where: 'rule' | 'backendRef',
): FilterType | undefined {
  const f = mapAt(issues, value, path, 'a filter');
  if (!f) return undefined;
  knownFields(issues, f, path, ['type', ...Object.values(FIELD)]);
  if (f.type === undefined) {
    issues.add([...path, 'type'], `filter type is required (one of ${FILTER_TYPES.join(', ')})`);
    return undefined;
  }
  if (!oneOf(issues, f.type, [...path, 'type'], 'filter type', FILTER_TYPES)) return undefined;
  const type = f.type as FilterType;
  for (const [t, field] of Object.entries(FIELD)) {
    if (t !== type && f[field] !== undefined)
      issues.add([...path, field], `filter.${field} must not be set when the filter type is ${type}`);
  }
  const settings = f[FIELD[type]];
  if (settings === undefined) {
    issues.add([...path, FIELD[type]], `filter.${FIELD[type]} must be set for a ${type} filter`);
    return type;
  }
  const at = [...path, FIELD[type]];
  if (type === 'ExtensionRef')
    issues.add([...path, 'type'], 'Istio supports no ExtensionRef filter: it would refuse the route (InvalidFilter)');
  else if (where === 'backendRef' && type !== 'RequestHeaderModifier' && type !== 'ResponseHeaderModifier') {
    issues.add(
      [...path, 'type'],
      `Istio takes only header modifier filters inside a backendRef, not ${type}: ` +
        'it would refuse the route (InvalidFilter)',
    );
  }
  if (type === 'RequestHeaderModifier' || type === 'ResponseHeaderModifier') headerModifier(issues, settings, at);
  else if (type === 'RequestRedirect') redirect(issues, settings, at);
  else if (type === 'URLRewrite') rewrite(issues, settings, at);
  else if (type === 'RequestMirror') mirror(issues, settings, at);
  else mapAt(issues, settings, at);
  return type;
}

function headerModifier(issues: Issues, value: unknown, path: FieldPath): void {
  const m = mapAt(issues, value, path);
  if (!m) return;
  knownFields(issues, m, path, ['set', 'add', 'remove']);
  for (const op of ['set', 'add'] as const) {
    const list = boundedList(issues, m[op], [...path, op], 16);
    list.forEach((h, i) => {
      const p = [...path, op, i];
      if (!isMap(h)) return issues.add(p, 'a header must be a mapping with name and value');
      knownFields(issues, h, p, ['name', 'value']);
      patterned(issues, h.name, [...p, 'name'], 'header name', {
        pattern: HEADER_NAME,
        min: 1,
        max: 256,
        required: true,
      });
      if (
        patterned(issues, h.value, [...p, 'value'], 'header value', { min: 1, max: 4096, required: true }) &&
        !validHeaderValue(h.value)
      ) {
        issues.add(
          [...p, 'value'],
          'header value has control characters: Istio would refuse the route (InvalidFilter)',
        );
      }
    });
    uniqueNames(issues, list, [...path, op], 'header name');
  }
  const remove = boundedList(issues, m.remove, [...path, 'remove'], 16);
  remove.forEach((h, i) =>
    patterned(issues, h, [...path, 'remove', i], 'header name', { pattern: HEADER_NAME, min: 1, max: 256 }),
  );
  remove.forEach((h, i) => {
    if (remove.indexOf(h) < i) issues.add([...path, 'remove', i], `header ${JSON.stringify(h)} is listed twice`);
  });
}

/** Istio's isValidHeaderValue: tab and visible characters only. */
function validHeaderValue(v: string): boolean {
  return [...Buffer.from(v)].every((c) => c === 0x09 || (c >= 0x20 && c !== 0x7f));
}

function pathModifier(issues: Issues, value: unknown, path: FieldPath): string | undefined {
  const p = mapAt(issues, value, path);
  if (!p) return undefined;
  knownFields(issues, p, path, ['type', 'replaceFullPath', 'replacePrefixMatch']);
  if (!oneOf(issues, p.type, [...path, 'type'], 'path modifier type', ['ReplaceFullPath', 'ReplacePrefixMatch']))
    return undefined;
  const want = p.type === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch';
  const other = want === 'replaceFullPath' ? 'replacePrefixMatch' : 'replaceFullPath';
  if (p[want] === undefined) issues.add([...path, want], `${want} must be set when the type is ${p.type}`);
  else patterned(issues, p[want], [...path, want], want, { max: 1024 });
  if (p[other] !== undefined)
    issues.add(
      [...path, other],
      `type must be ${other === 'replaceFullPath' ? 'ReplaceFullPath' : 'ReplacePrefixMatch'} when ${other} is set`,
    );
  return p.type as string;
}

function redirect(issues: Issues, value: unknown, path: FieldPath): void {
  const r = mapAt(issues, value, path);
  if (!r) return;
  knownFields(issues, r, path, ['scheme', 'hostname', 'path', 'port', 'statusCode']);
  if (r.scheme !== undefined) oneOf(issues, r.scheme, [...path, 'scheme'], 'scheme', ['http', 'https']);
  if (r.hostname !== undefined)
    patterned(issues, r.hostname, [...path, 'hostname'], 'hostname', { pattern: HOSTNAME, min: 1, max: 253 });
  if (r.path !== undefined) pathModifier(issues, r.path, [...path, 'path']);
  if (r.port !== undefined) intIn(issues, r.port, [...path, 'port'], 'port', 1, 65535);
  if (r.statusCode !== undefined)
    oneOf(issues, r.statusCode, [...path, 'statusCode'], 'statusCode', [301, 302, 303, 307, 308]);
}

function rewrite(issues: Issues, value: unknown, path: FieldPath): void {
  const r = mapAt(issues, value, path);
  if (!r) return;
  knownFields(issues, r, path, ['hostname', 'path']);
  if (r.hostname !== undefined)
    patterned(issues, r.hostname, [...path, 'hostname'], 'hostname', { pattern: HOSTNAME, min: 1, max: 253 });
  if (r.path !== undefined) pathModifier(issues, r.path, [...path, 'path']);
}

function mirror(issues: Issues, value: unknown, path: FieldPath): void {
  const m = mapAt(issues, value, path);
  if (!m) return;
  knownFields(issues, m, path, ['backendRef', 'percent', 'fraction']);
  const ref = objectRefAt(issues, m.backendRef, [...path, 'backendRef'], 'mirror backendRef', {
    group: '',
    kind: 'Service',
  });
  if (ref && isServiceRef(ref) && ref.port === undefined)
    issues.add([...path, 'backendRef', 'port'], 'a Service backendRef needs a port');
  if (m.percent !== undefined && m.fraction !== undefined)
    issues.add([...path, 'fraction'], 'set percent or fraction, not both');
  if (m.percent !== undefined) intIn(issues, m.percent, [...path, 'percent'], 'percent', 0, 100);
  if (m.fraction !== undefined) fraction(issues, m.fraction, [...path, 'fraction']);
}

function fraction(issues: Issues, value: unknown, path: FieldPath): void {
  const f = mapAt(issues, value, path);
  if (!f) return;
  knownFields(issues, f, path, ['numerator', 'denominator']);
  const den = f.denominator ?? 100;
  const okN = intIn(issues, f.numerator, [...path, 'numerator'], 'numerator', 0, 2 ** 31 - 1);
  const okD = intIn(issues, den, [...path, 'denominator'], 'denominator', 1, 2 ** 31 - 1);
  if (okN && okD && (f.numerator as number) > (den as number))
    issues.add([...path, 'numerator'], 'numerator must be less than or equal to denominator');
}
