/**
 * Turns Kubernetes API failures into messages with context: "failed to apply VirtualService
 * reviews.default: 422 Invalid: spec.http[0].route[0].weight: must be non-negative". The API's
 * own Status message is kept; the original error is the `cause`.
 */
import { EnvironmentError, InputError } from '../core/errors.js';
import type { ObjectSource } from './manifest.js';

/** What the API server said, from an ApiException (client-node) or a watch error. */
export interface ApiFailure {
  /** HTTP status; undefined for transport errors (refused, reset, DNS). */
  status?: number;
  /** Status.reason: NotFound, AlreadyExists, Conflict, Invalid, Forbidden, … */
  reason?: string;
  /** Status.message, or the transport error's message. */
  message: string;
  /** Status.details.causes, as `field: message`. */
  causes: string[];
  /** Status.details.causes that name a field. */
  fieldCauses: { field: string; message: string }[];
}

export function apiFailure(err: unknown): ApiFailure {
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown; message?: string };
  const status = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined) return { message: e?.message ?? String(err), causes: [], fieldCauses: [] };
  let body: any = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* plain text body */
    }
  }
  if (body && typeof body === 'object' && body.kind === 'Status') {
    const causes = Array.isArray(body.details?.causes)
      ? body.details.causes.map((c: any) => (c.field ? `${c.field}: ${c.message}` : String(c.message)))
      : [];
    // "<nil>" causes only say that CEL rules were skipped because of the others: not a field.
    const fieldCauses = Array.isArray(body.details?.causes)
      ? body.details.causes
          .filter((c: any) => typeof c.field === 'string' && c.field && c.field !== '<nil>')
          .map((c: any) => ({ field: String(c.field), message: String(c.message ?? '') }))
      : [];
    return {
      status,
      reason: body.reason || undefined,
      message: String(body.message ?? ''),
      causes,
      fieldCauses,
    };
  }
  return {
    status,
    message: typeof body === 'string' && body ? body.trim().slice(0, 500) : (e.message?.split('\n')[0] ?? ''),
    causes: [],
    fieldCauses: [],
  };
}

/**
 * The object does not exist. A missing API group answers 404 too, but as the plain text
 * `404 page not found` (no Status): that is not an absent object, it is an unserved kind.
 */
export function isNotFound(err: unknown): boolean {
  const f = apiFailure(err);
  return f.status === 404 && !unservedKind(f);
}

/** The cluster does not serve the kind: a plain-text 404 (no such group/version), or the server's own wording. */
function unservedKind(f: ApiFailure): boolean {
  if (f.status !== 404) return false;
  return (
    (f.reason === undefined && /404 page not found/i.test(f.message)) ||
    /resource metadata|the server could not find the requested resource/i.test(f.message)
  );
}

/** "422 Invalid: <message>" — the API's words, without the client's header dump. */
export function formatFailure(f: ApiFailure): string {
  const head = f.status === undefined ? '' : `${f.status}${f.reason ? ` ${f.reason}` : ''}: `;
  const causes = f.causes.filter((c) => !f.message.includes(c));
  return `${head}${f.message || '(no message)'}${causes.length ? ` (${causes.join('; ')})` : ''}`;
}

/** An API call that failed; `status` is the HTTP status when the server answered. */
export class KubeApiError extends EnvironmentError {
  constructor(
    message: string,
    readonly failure: ApiFailure,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(message, options);
  }
  get status(): number | undefined {
    return this.failure.status;
  }
}

/**
 * Wraps an API failure: `failed to <action> <ref>: <status reason: message>`. When the server
 * refused an object read from a file as invalid, the result is an InputError naming the file and,
 * for each field the server names, that field's line. The server says "invalid" in three ways:
 * 422 Invalid (schema, CEL), 400 BadRequest (strict field validation: unknown fields), a
 * validating webhook's denial (istiod checks what the CRDs cannot: negative weights, regexes),
 * and, for server-side apply, 500 with "failed to create typed patch object" (a value of the
 * wrong type), which carries no reason. A server-side apply conflict (fields another manager
 * holds, which meshproof does not force: client.ts) is bad input too, at each field's line.
 * Everything else is an environment error.
 */
export function apiError(action: string, ref: string, err: unknown, source?: ObjectSource): Error {
  const f = apiFailure(err);
  const message = `failed to ${action} ${ref}: ${formatFailure(f)}`;
  if (source && isApplyConflict(f)) {
    const issues = conflicts(f).map(({ field, manager }) => ({
      file: source.file,
      line: field ? source.lineOf(fieldPath(field)) : source.line,
      ...(field ? { field } : {}),
      message: `${ref}: ${field ?? 'a field'} is held by ${manager}; ${NOT_TAKEN_OVER}`,
    }));
    return new InputError(issues, { cause: err });
  }
  if (source && refusedAsInvalid(f)) {
    // One issue per field the server named, each with its own reason; the whole message when it named none.
    const issues = invalidFields(f).map(({ field, message: why }) => ({
      file: source.file,
      line: field ? source.lineOf(fieldPath(field)) : source.line,
      field: field || undefined,
      message: why ? `${ref} refused by the API server: ${why}` : message,
    }));
    return new InputError(issues, { cause: err });
  }
  return new KubeApiError(message, f, { cause: err, ...hintFor(f, ref) });
}

/** Why a conflict is not forced through: what apply does (client.ts) and what the user can do. */
const NOT_TAKEN_OVER =
  'meshproof forces field ownership only on objects it created, and not this one, so it was not applied ' +
  '(leave the field out of the manifest, give it the value the cluster holds, ' +
  'or delete the object so that meshproof creates it)';

/** A server-side apply refused because fields it sets are held by another field manager. */
function isApplyConflict(f: ApiFailure): boolean {
  return f.status === 409 && /^Apply failed with \d+ conflicts?/.test(f.message);
}

/** Each conflicting field with the manager holding it: `data.Corefile`, `"kubeadm"`. */
function conflicts(f: ApiFailure): { field?: string; manager: string }[] {
  const managerOf = (text: string) => /"[^"]+"/.exec(text)?.[0] ?? 'another field manager';
  if (f.fieldCauses.length)
    return f.fieldCauses.map((c) => ({ field: c.field.replace(/^\./, ''), manager: managerOf(c.message) }));
  return [{ manager: managerOf(f.message) }];
}

function refusedAsInvalid(f: ApiFailure): boolean {
  if (f.status === 422) return true;
  // A validating webhook's refusal (istiod's validation.istio.io): 400 and no reason.
  if (f.status !== undefined && f.status < 500 && /admission webhook "[^"]+" denied the request/.test(f.message))
    return true;
  if (
    f.status === 400 &&
    (f.reason === 'BadRequest' || /strict decoding error|unknown field|duplicate field/i.test(f.message))
  )
    return true;
  return (
    f.status === 500 &&
    /failed to create typed patch object|field not declared in schema|expected .+, got /i.test(f.message)
  );
}

/**
 * The fields the server named, as dotted paths (`spec.http[0].route[0].weight`); one undefined
 * entry when it named none. Strict validation and typed-patch errors name them in the message.
 */
export function invalidFields(f: ApiFailure): { field?: string; message?: string }[] {
  if (f.fieldCauses.length)
    return f.fieldCauses.map((c) => ({
      field: c.field.replace(/^\./, ''),
      message: `${c.field.replace(/^\./, '')}: ${c.message}`,
    }));
  const fromMessage = [
    ...f.message.matchAll(
      /unknown field "([^"]+)"|(?:^|[:\s])\.?((?:spec|metadata|data|stringData|status)(?:\.[\w-]+|\[\d+\])*)(?=:)/g,
    ),
  ].map((m) => m[1] ?? m[2]!);
  const fields = [...new Set(fromMessage.map((x) => x.replace(/^\./, '')))];
  return fields.length ? fields.map((field) => ({ field })) : [{}];
}

/** `spec.http[0].route` → ['spec', 'http', 0, 'route'] (keys in brackets or quotes kept as keys). */
export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/\[(\d+)\]|\[\"?([^\]"]+)\"?\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else out.push((m[2] ?? m[3])!);
  }
  return out;
}

function hintFor(f: ApiFailure, ref: string): { hint?: string } {
  if (isApplyConflict(f)) return { hint: NOT_TAKEN_OVER };
  if (/Unrecognized API version and kind/i.test(f.message) || unservedKind(f)) {
    return {
      hint:
        `this cluster does not serve the kind of ${ref} at that apiVersion: ` +
        'is Istio installed (for networking.istio.io), ' +
        'and is the apiVersion right? `kubectl api-resources` lists what it serves',
    };
  }
  if (f.status === undefined) return { hint: 'is the cluster running and the kubeconfig right? (`meshproof doctor`)' };
  if (f.status === 401 || f.status === 403) return { hint: 'the kubeconfig user lacks permission for this' };
  return {};
}
