/**
 * The HTTP side of release downloads (istioctl, the Gateway API CRDs): one undici agent that follows
 * redirects (release assets are served behind them), and a GET that holds headers and body to a
 * deadline and treats anything but 200 as a failure naming the URL.
 */
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { EnvironmentError } from '../../core/errors.js';

export interface GetOptions {
  /** Per-request deadline for headers and between body chunks. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An agent for a run of downloads; close it when they are done. */
export function downloadAgent(opts: GetOptions = {}): Dispatcher {
  return new Agent({ connectTimeout: opts.timeoutMs ?? 30_000 }).compose(interceptors.redirect({ maxRedirections: 5 }));
}

/** The body of a 200 answer to GET `url`; any other status is an EnvironmentError (the body is drained). */
export async function get(
  url: string,
  dispatcher: Dispatcher,
  opts: GetOptions = {},
): Promise<Dispatcher.ResponseData['body']> {
  const t = opts.timeoutMs ?? 30_000;
  const res = await request(url, {
    dispatcher,
    headersTimeout: t,
    bodyTimeout: t,
    signal: opts.signal,
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new EnvironmentError(`GET ${url} answered ${res.statusCode}`);
  }
  return res.body;
}
