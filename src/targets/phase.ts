/** Runs one phase of `up`, saying when it starts and how it ended, with its duration. */
import type { UpEmit } from './target.js';

/** For an `up` nobody watches. */
export const silent: UpEmit = () => {};

/** A note on the way (a warning from a precheck, a retry). */
export function note(emit: UpEmit, message: string, level: 'info' | 'warn' = 'info'): void {
  emit({ type: 'log', level, message });
}

export async function phase<T>(
  emit: UpEmit,
  name: string,
  fn: () => Promise<T>,
  detail?: (value: T) => string | undefined,
): Promise<T> {
  const t0 = performance.now();
  const took = () => Math.round(performance.now() - t0);
  emit({ type: 'phase-start', phase: name });
  try {
    const value = await fn();
    const d = detail?.(value);
    emit({ type: 'phase-end', phase: name, ok: true, durationMs: took(), detail: d || undefined });
    return value;
  } catch (err) {
    emit({
      type: 'phase-end',
      phase: name,
      ok: false,
      durationMs: took(),
      detail: (err as Error)?.message?.split('\n')[0] ?? String(err),
    });
    throw err;
  }
}
