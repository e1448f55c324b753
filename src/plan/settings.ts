/**
 * Settings precedence, lowest first:
 *   1. DEFAULT_SETTINGS (types.ts)
 *   2. the plan's `defaults`
 *   3. a step's own `settings` (the rollback's too)
 *   4. overrides from the command line: `--alpha`, `--tolerance`, `--relative-tolerance`, `--max-requests`,
 *      `--concurrency`
 * An expectation's `concurrency` sits between 3 and 4: it beats the step's, `--concurrency` beats it.
 * settleTimeout and requestTimeout have no flag: they are set in the plan only.
 */
import { toMs } from '../core/duration.js';
import type { InputIssue } from '../core/errors.js';
import { DEFAULT_SETTINGS, type Settings } from './types.js';
import { MAX_CONCURRENCY, type RawSettings } from './schema.js';

/** Layers plan-written settings (durations as text) over `base`. */
export function layerSettings(base: Settings, raw: RawSettings | undefined): Settings {
  if (!raw) return { ...base };
  const out: Settings = { ...base };
  if (raw.alpha !== undefined) out.alpha = raw.alpha;
  if (raw.tolerance !== undefined) out.tolerance = raw.tolerance;
  if (raw.relativeTolerance !== undefined) out.relativeTolerance = raw.relativeTolerance;
  if (raw.maxRequests !== undefined) out.maxRequests = raw.maxRequests;
  if (raw.concurrency !== undefined) out.concurrency = raw.concurrency;
  if (raw.settleTimeout !== undefined) out.settleTimeoutMs = toMs(raw.settleTimeout);
  if (raw.requestTimeout !== undefined) out.requestTimeoutMs = toMs(raw.requestTimeout);
  return out;
}

/** A step's settings: the built-in ones under the plan's defaults, the step's own and the command line's. */
export function stepSettings(
  planDefaults: RawSettings | undefined,
  own: RawSettings | undefined,
  overrides: Overrides,
): Settings {
  return applyOverrides(layerSettings(layerSettings(DEFAULT_SETTINGS, planDefaults), own), overrides);
}

/** The settings the command line can set, one flag each. */
export type Overrides = Partial<
  Pick<Settings, 'alpha' | 'tolerance' | 'relativeTolerance' | 'maxRequests' | 'concurrency'>
>;

/**
 * Applies command-line overrides; undefined values leave the plan's value in place. Walks the
 * overrides, not the settings: relativeTolerance may be set on the command line alone.
 */
export function applyOverrides(settings: Settings, overrides: Overrides): Settings {
  const out: Settings = { ...settings };
  for (const key of Object.keys(FLAGS) as (keyof Overrides)[]) {
    const v = overrides[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const FLAGS: Record<keyof Overrides, string> = {
  alpha: '--alpha',
  tolerance: '--tolerance',
  relativeTolerance: '--relative-tolerance',
  maxRequests: '--max-requests',
  concurrency: '--concurrency',
};

/** Overrides come from flags: checked with the same rules as the plan, reported against the flag. */
export function checkOverrides(overrides: Overrides): InputIssue[] {
  const issues: InputIssue[] = [];
  const bad = (key: keyof Overrides, rule: string) =>
    issues.push({
      file: '<command line>',
      field: FLAGS[key],
      message: `${FLAGS[key]} must be ${rule}, got ${String(overrides[key])}`,
    });
  for (const key of ['alpha', 'tolerance', 'relativeTolerance'] as const) {
    const v = overrides[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && v < 1)) bad(key, 'between 0 and 1 (exclusive)');
  }
  const v = overrides.maxRequests;
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) bad('maxRequests', 'a whole number ≥ 1');
  const c = overrides.concurrency;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1 && c <= MAX_CONCURRENCY))
    bad('concurrency', `a whole number from 1 to ${MAX_CONCURRENCY}`);
  return issues;
}
