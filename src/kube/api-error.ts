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
}

export function apiFailure(err: unknown): ApiFailure {
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown; message?: string };
  const status = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined) return { message: e?.message ?? String(err), causes: [] };
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
    return { status, reason: body.reason, message: String(body.message ?? ''), causes };
  }
  return { status, message: typeof body === 'string' && body ? body.slice(0, 500) : e.message?.split('\n')[0] ?? '', causes: [] };
}

export function isNotFound(err: unknown): boolean {
  return apiFailure(err).status === 404;
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
 * Wraps an API failure: `failed to <action> <ref>: <status reason: message>`. A 422 (the server
 * refused the object as invalid) on an object read from a file becomes an InputError naming the
 * file and line; everything else is an environment error.
 */
export function apiError(action: string, ref: string, err: unknown, source?: ObjectSource): Error {
  const f = apiFailure(err);
  const message = `failed to ${action} ${ref}: ${formatFailure(f)}`;
  if (f.status === 422 && source) {
    return new InputError([{ file: source.file, line: source.line, message }], { cause: err });
  }
  return new KubeApiError(message, f, { cause: err, ...hintFor(f) });
}

function hintFor(f: ApiFailure): { hint?: string } {
  if (f.status === undefined) return { hint: 'is the cluster running and the kubeconfig right? (`meshproof doctor`)' };
  if (f.status === 401 || f.status === 403) return { hint: 'the kubeconfig user lacks permission for this' };
  if (f.status === 404 && /resource metadata|the server could not find the requested resource/i.test(f.message)) {
    return { hint: 'the kind is not served by this cluster: is Istio installed?' };
  }
  return {};
}
