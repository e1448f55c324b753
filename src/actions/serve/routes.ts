/**
 * What `meshproof serve` answers, as plain functions of a request (the HTTP server around them is server.ts):
 * - `GET /healthz`;
 * - Argo Rollouts' web metric provider, `GET|POST /argo/verify?namespace=NS&rollout=NAME&stable=v1&canary=v3` (or
 *   those keys in a JSON body): always 200 with the verdict as JSON once one is reached, for the AnalysisTemplate's
 *   `successCondition: result.verified == true`;
 * - Flagger's webhooks, `POST /flagger/{rollout,confirm-traffic-increase,confirm-promotion}` with Flagger's payload
 *   (name, namespace, phase, metadata carrying stable and canary): 200 when traffic confirms the split, 412 with the
 *   reason otherwise, which Flagger counts as a failed check.
 * A request naming an object serve may not read gets 403, one that is not there 404, bad parameters 400: JSON
 * `{error}` each. Nothing in a request chooses where traffic goes: only the Host header, user and path of requests
 * sent to the configured ingress.
 */
import { MeshproofError, InputError } from '../../core/errors.js';
import { isControllerSplitError, type SplitSource } from '../../runner/read-split.js';
import { BOOKINFO_REVIEWS } from '../../runner/one-check.js';
import type { ServeVerdict, VerdictRequest, Verdicts } from './verdicts.js';

export interface Answer {
  status: number;
  body: unknown;
}

export interface Request {
  method: string;
  /** Path and query, as the request line gives them. */
  url: string;
  /** The body as sent: JSON for POST, empty for GET. */
  body: string;
}

const FLAGGER_HOOKS = new Set(['rollout', 'confirm-traffic-increase', 'confirm-promotion']);
const NAME = /^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export async function route(req: Request, verdicts: Pick<Verdicts, 'verdict'>): Promise<Answer> {
  const url = new URL(req.url, 'http://serve.invalid');
  try {
    if (url.pathname === '/healthz') return { status: 200, body: { ok: true } };
    if (url.pathname === '/argo/verify') {
      if (req.method !== 'GET' && req.method !== 'POST') return methodNotAllowed('GET or POST');
      const params = { ...Object.fromEntries(url.searchParams), ...jsonBody(req.body) };
      const v = await verdicts.verdict(verdictRequest('rollout', params, params.rollout));
      return { status: 200, body: argoBody(v) };
    }
    const hook = /^\/flagger\/([a-z-]+)$/.exec(url.pathname)?.[1];
    if (hook && FLAGGER_HOOKS.has(hook)) {
      if (req.method !== 'POST') return methodNotAllowed('POST');
      const payload = jsonBody(req.body);
      const metadata = (typeof payload.metadata === 'object' && payload.metadata) || {};
      const v = await verdicts.verdict(verdictRequest('canary', { ...metadata, ...payload }, payload.name));
      return { status: v.verified ? 200 : 412, body: argoBody(v) };
    }
    return { status: 404, body: { error: `no such endpoint: ${req.method} ${url.pathname}` } };
  } catch (err) {
    return errorAnswer(err);
  }
}

/** The web metric provider's JSON: what the AnalysisTemplate's conditions read as `result`. */
function argoBody(v: ServeVerdict) {
  return {
    verified: v.verified,
    outcome: v.outcome,
    expected: v.expected,
    observed: v.observed,
    interval: v.intervals,
    requests: v.requests,
    alpha: v.alpha,
    from: v.from,
    cached: v.cached,
    reason: v.reason,
  };
}

function verdictRequest(kind: SplitSource['kind'], p: Record<string, unknown>, name: unknown): VerdictRequest {
  const namespace = stringParam(p, 'namespace', NAME);
  const stable = stringParam(p, 'stable', VERSION);
  const canary = stringParam(p, 'canary', VERSION);
  const objectName = stringParam({ name }, 'name', NAME, kind === 'rollout' ? 'rollout' : 'name');
  const host = optionalParam(p, 'host') ?? BOOKINFO_REVIEWS;
  const path = optionalParam(p, 'path') ?? (host === BOOKINFO_REVIEWS ? '/productpage' : '/');
  // A path is sent to the ingress as given: one that is not an absolute path could only confuse the request line.
  if (!/^\/(?!\/)[\x21-\x7e]*$/.test(path)) throw new InputError(`path must be an absolute path such as /productpage`);
  return {
    source: { kind, namespace, name: objectName, versions: { stable, canary } },
    host,
    user: optionalParam(p, 'user') ?? 'anonymous',
    path,
  };
}

function stringParam(p: Record<string, unknown>, key: string, pattern: RegExp, say = key): string {
  const v = p[key];
  if (typeof v !== 'string' || !v) throw new InputError(`${say} is required`);
  if (!pattern.test(v)) throw new InputError(`${say} "${v}" is not a valid name`);
  return v;
}

function optionalParam(p: Record<string, unknown>, key: string): string | undefined {
  const v = p[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new InputError(`${key} must be a string`);
  return v;
}

function jsonBody(body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new InputError(`the body is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function methodNotAllowed(allowed: string): Answer {
  return { status: 405, body: { error: `method not allowed: use ${allowed}` } };
}

/** 403 and 404 as the API server said them; bad input 400, no checkable split 422; the environment's trouble 503. */
function errorAnswer(err: unknown): Answer {
  const error = err instanceof Error ? err.message : String(err);
  if (isControllerSplitError(err)) return { status: err.status, body: { error } };
  if (err instanceof InputError) return { status: 400, body: { error } };
  if (err instanceof MeshproofError) return { status: 503, body: { error } };
  return { status: 500, body: { error } };
}
