/**
 * The classifier of an expectation with `versions` (README, "Your own services"): the version that
 * served an answer, read from a header, a JSON field or the one group of an RE2 regex over the body.
 * An answer it cannot read has version null: unclassified, held to maxUnclassifiedRate. It reads
 * headers, so the sampler does not remember its results by body (remembered.ts). The pod is the
 * `x-pod` header, or, for a version read from a JSON field `…version`, a string `pod` beside it (the
 * echo stand-in's forwarded answer names the pod that served the version, not the one that forwarded).
 */
import { RE2JS } from 're2js';
import type { ClassifiableResponse, Classification, Classifier } from '../bookinfo/classification.js';
import { describeVersionFrom, type VersionFrom } from '../model/version-from.js';

/** A version longer than this is no version name: unreadable. */
const MAX_VERSION_LENGTH = 63;

export function versionClassifier(from: VersionFrom): Classifier {
  const read = reader(from);
  const name = `versions (${describeVersionFrom(from)})`;
  return {
    name,
    classify(res: ClassifiableResponse): Classification {
      const base = { reviews: null, ratings: null, format: 'unknown' as const };
      const found = read(res);
      const pod = podBeside(from, res) ?? firstHeader(res, 'x-pod') ?? null;
      if (typeof found === 'string' && found !== '' && found.length <= MAX_VERSION_LENGTH)
        return { ...base, pod, version: found };
      const why = typeof found === 'string' ? (found === '' ? 'is empty' : 'is too long') : found.missing;
      return {
        ...base,
        pod,
        version: null,
        note: `no version (HTTP ${res.status}): ${describeVersionFrom(from)} ${why}`,
      };
    },
  };
}

type Read = (res: ClassifiableResponse) => string | { missing: string };

function reader(from: VersionFrom): Read {
  if ('header' in from) {
    const h = from.header.toLowerCase();
    return (res) => firstHeader(res, h) ?? { missing: 'is absent' };
  }
  if ('json' in from) {
    const path = from.json.split('.');
    return (res) => {
      let v: unknown;
      try {
        v = JSON.parse(res.body);
      } catch {
        return { missing: 'cannot be read: the body is not JSON' };
      }
      for (const key of path) {
        if (v === null || typeof v !== 'object') return { missing: 'is absent' };
        v = (v as Record<string, unknown>)[key];
      }
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      return { missing: v === undefined ? 'is absent' : 'is not a string or number' };
    };
  }
  const re = RE2JS.compile(from.regex);
  const group = re.groupCount() >= 1 ? 1 : 0;
  return (res) => {
    const m = re.matcher(res.body);
    if (!m.find()) return { missing: 'does not match the body' };
    return m.group(group) ?? { missing: 'matched without its group' };
  };
}

function podBeside(from: VersionFrom, res: ClassifiableResponse): string | undefined {
  if (!('json' in from) || !/(^|\.)version$/.test(from.json)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(res.body);
  } catch {
    return undefined;
  }
  for (const key of from.json.split('.').slice(0, -1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  const pod = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)['pod'] : undefined;
  return typeof pod === 'string' ? pod : undefined;
}

function firstHeader(res: ClassifiableResponse, name: string): string | undefined {
  const v = res.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}
