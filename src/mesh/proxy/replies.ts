/**
 * Responses a proxy makes itself (Envoy "local replies") and the header work on proxied ones.
 */
import type { HeaderOps } from '../router/compile.js';
import type { ProxyResponse } from './types.js';

export const EMPTY = Buffer.alloc(0);

/** Hop-by-hop headers never forwarded by a proxy. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

export function localReply(
  status: number,
  body: string,
  server: string,
  extra?: Record<string, string>,
): ProxyResponse {
  const buf = body ? Buffer.from(body) : EMPTY;
  const headers: Record<string, string> = { ...(body ? { 'content-type': 'text/plain' } : {}), ...extra, server };
  return { status, headers, body: buf };
}

/** Removes, then adds: Envoy's order for header operations. */
export function applyRequestOps(headers: Record<string, string>, ops: HeaderOps | null): void {
  if (!ops) return;
  for (const name of ops.requestRemove) delete headers[name];
  for (const a of ops.requestAdd) {
    const prev = headers[a.key];
    headers[a.key] = a.overwrite || prev === undefined ? a.value : `${prev},${a.value}`;
  }
}

export function applyResponseOps(headers: Record<string, string | string[]>, ops: HeaderOps | null): void {
  if (!ops) return;
  for (const name of ops.responseRemove) delete headers[name];
  for (const a of ops.responseAdd) {
    const prev = headers[a.key];
    if (a.overwrite || prev === undefined) headers[a.key] = a.value;
    else headers[a.key] = Array.isArray(prev) ? [...prev, a.value] : [prev, a.value];
  }
}

/** The upstream's headers minus hop-by-hop ones, in a fresh object the proxy may edit. */
export function responseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in upstream) {
    const v = upstream[k];
    if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  }
  return out;
}
