/** Runs one phase of `up` and reports it through PhaseStatus with its duration. */
import { formatMs } from '../core/duration.js';
import type { PhaseStatus } from './target.js';

export const silentStatus: PhaseStatus = { start() {}, end() {}, info() {} };

export async function phase<T>(status: PhaseStatus, name: string, fn: () => Promise<T>, detail?: (value: T) => string | undefined): Promise<T> {
  const t0 = Date.now();
  status.start(name);
  try {
    const value = await fn();
    const d = detail?.(value);
    status.end(true, `${d ? `${d}, ` : ''}${formatMs(Date.now() - t0)}`);
    return value;
  } catch (err) {
    status.end(false, `${(err as Error)?.message?.split('\n')[0] ?? String(err)} (${formatMs(Date.now() - t0)})`);
    throw err;
  }
}
