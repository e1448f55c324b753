/**
 * productpage's login session: a cookie named `session` holding `{"user": …}`, signed with
 * HMAC-SHA256 under a fixed key, so every productpage replica (and a restarted one) accepts it,
 * as the real app's fixed secret key allows.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'session';
/** Fixed on purpose: a stand-in's session must survive replicas and restarts, not resist attackers. */
const KEY = 'meshproof-bookinfo-productpage-session';

export interface Session {
  user?: string;
}

function sign(payload: string): string {
  return createHmac('sha256', KEY).update(payload).digest('base64url');
}

export function encodeSession(session: Session): string {
  const payload = Buffer.from(JSON.stringify(session), 'utf8').toString('base64url');
  return `${payload}.${sign(payload)}`;
}

/** The session in a cookie value, or null when it is missing, malformed or not signed by us. */
export function decodeSession(value: string | undefined): Session | null {
  if (!value) return null;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(payload), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (typeof data !== 'object' || data === null) return null;
    const user = (data as { user?: unknown }).user;
    return typeof user === 'string' ? { user } : {};
  } catch {
    return null;
  }
}

export function sessionCookie(session: Session): string {
  return `${SESSION_COOKIE}=${encodeSession(session)}; HttpOnly; Path=/`;
}

/** Clears the cookie, the way a logout does. */
export function expiredSessionCookie(): string {
  return `${SESSION_COOKIE}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/`;
}
