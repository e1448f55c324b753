/**
 * The fields of an expectation about a service of the user's own (README, "Your own services"):
 * `versions` shares over the names `versionFrom` reads from each answer, and the request's `host`
 * and `headers`. Checked field by field; cross-field rules are in schema.ts.
 */
import { RE2JS } from 're2js';
import { z } from 'zod';
import type { VersionFrom } from '../model/version-from.js';

/** A version name: what a `version` label, a subset or a Service name can be (a label value). */
export const VERSION_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** An HTTP header name (RFC 9110 token), written in lowercase as HTTP/2 sends it. */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** A JSON field path: names and list indexes joined by dots (`build.version`, `items.0.tag`). */
const JSON_PATH = /^[A-Za-z_$][\w$-]*(\.([A-Za-z_$][\w$-]*|\d+))*$/;
/** A Host header: a DNS name, optionally with a port. */
const HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:\d{1,5})?$/;
/** Headers the client sets itself, or that the expectation's `host` stands for. */
const RESERVED_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection'];
const RESERVED_WHY: Record<string, string> = { host: ": use the expectation's host" };
/** Istio's cap on a regex, kept for the one read from answers too. */
const MAX_REGEX = 1024;

const SUM_EPSILON = 1e-9;

export const versionSharesSchema = z
  .record(
    z.string(),
    z
      .number({ error: (iss) => `a share must be a number (percent), got ${JSON.stringify(iss.input)}` })
      .min(0, { error: (iss) => `a share cannot be negative, got ${String(iss.input)}` }),
  )
  .superRefine((rec, ctx) => {
    const keys = Object.keys(rec);
    if (keys.length === 0)
      ctx.addIssue({ code: 'custom', message: 'name at least one version with its share, e.g. { v1: 90, v2: 10 }' });
    for (const k of keys) {
      if (!VERSION_NAME.test(k))
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `"${k}" is not a version name (letters, digits, -, _ and ., at most 63, as a label value)`,
        });
    }
    const sum = Object.values(rec).reduce((a, b) => a + b, 0);
    if (keys.length && Math.abs(sum - 100) > SUM_EPSILON)
      ctx.addIssue({ code: 'custom', message: `version shares sum to ${sum}, they must sum to 100 (percent)` });
  });

const FROM_KEYS = ['header', 'json', 'regex'] as const;

/** `{ header: x-version }`, `{ json: build.version }` or `{ regex: 'release-(\w+)' }`: exactly one. */
export const versionFromSchema = z
  .strictObject(
    {
      header: z
        .string({ error: 'versionFrom.header must be a header name, e.g. x-version' })
        .regex(HEADER_NAME, {
          error: (iss) => `${JSON.stringify(iss.input)} is not a header name in lowercase (e.g. x-version)`,
        })
        .optional(),
      json: z
        .string({ error: 'versionFrom.json must be a field path, e.g. build.version' })
        .regex(JSON_PATH, {
          error: (iss) =>
            `${JSON.stringify(iss.input)} is not a JSON field path (names and indexes joined by dots: build.version)`,
        })
        .optional(),
      regex: z
        .string({ error: 'versionFrom.regex must be a string' })
        .check((ctx) => {
          const problem = regexProblem(ctx.value);
          if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
        })
        .optional(),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys' ? `versionFrom takes one of ${FROM_KEYS.join(', ')}` : undefined,
    },
  )
  .superRefine((v, ctx) => {
    const given = FROM_KEYS.filter((k) => v[k] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? 'versionFrom needs one of header, json, regex (e.g. { header: x-version })'
            : `versionFrom takes one of header, json, regex, not ${given.join(' and ')}`,
      });
  })
  .transform((v): VersionFrom => {
    if (v.header !== undefined) return { header: v.header };
    if (v.json !== undefined) return { json: v.json };
    return { regex: v.regex! };
  });

/**
 * `header:x-version`, `json:build.version`, `regex:release-(\w+)` (the classify command's
 * --version-from) as a VersionFrom, or the problem with it.
 */
export function parseVersionFromFlag(flag: string): VersionFrom | { problem: string } {
  const colon = flag.indexOf(':');
  const kind = colon < 0 ? '' : flag.slice(0, colon);
  if (!(FROM_KEYS as readonly string[]).includes(kind))
    return { problem: `write header:NAME, json:PATH or regex:RE2, not ${JSON.stringify(flag)}` };
  const r = versionFromSchema.safeParse({ [kind]: flag.slice(colon + 1) });
  return r.success ? r.data : { problem: r.error.issues.map((i) => i.message).join('; ') };
}

/** Why `source` is no regex meshproof reads versions with (RE2, at most 1024 characters), or null. */
export function regexProblem(source: string): string | null {
  if (source === '') return 'versionFrom.regex is empty';
  if (source.length > MAX_REGEX) return `versionFrom.regex is too long (${source.length} characters, at most 1024)`;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    return `versionFrom.regex does not compile as RE2: ${(err as Error).message}`;
  }
  if (re.groupCount() > 1)
    return 'versionFrom.regex has more than one group: the version is its one group (or the whole match)';
  return null;
}

export const hostSchema = z
  .string({ error: 'host must be a host name, e.g. shop.example.com' })
  .regex(HOST, { error: (iss) => `host ${JSON.stringify(iss.input)} is not a host name (e.g. shop.example.com)` });

export const headersSchema = z
  .record(
    z.string(),
    z.string({ error: (iss) => `a header value must be a string (quote numbers), got ${JSON.stringify(iss.input)}` }),
  )
  .superRefine((rec, ctx) => {
    for (const [k, v] of Object.entries(rec)) {
      if (!HEADER_NAME.test(k))
        ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" is not a header name in lowercase` });
      else if (RESERVED_HEADERS.includes(k))
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `${k} is not set here${RESERVED_WHY[k] ?? ''}`,
        });
      if (/[\r\n\0]/.test(v))
        ctx.addIssue({ code: 'custom', path: [k], message: `the value of ${k} holds a line break or NUL` });
    }
  });
