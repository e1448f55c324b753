/**
 * Protobuf JSON conventions for the values route configs carry: durations and fractional percents.
 * Written by hand because these are two small formatting rules, not worth a protobuf runtime.
 */
import type { FractionalPercent } from './types.js';

/** Duration as protobuf JSON prints it: "0s", "7s", "0.500s", "0.001250s". */
export function formatDuration(ms: number): string {
  const nanos = Math.round(ms * 1e6);
  const seconds = Math.trunc(nanos / 1e9);
  const frac = nanos - seconds * 1e9;
  if (frac === 0) return `${seconds}s`;
  let digits = String(frac).padStart(9, '0');
  if (digits.endsWith('000000')) digits = digits.slice(0, 3);
  else if (digits.endsWith('000')) digits = digits.slice(0, 6);
  return `${seconds}.${digits}s`;
}

/** Parses a protobuf JSON duration ("7s", "0.500s"); anything else is an error. */
export function parseDuration(text: string): number {
  const m = /^(-?\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!m) throw new Error(`not a protobuf duration: "${text}"`);
  const frac = m[2] ? Number(m[2].padEnd(9, '0')) / 1e6 : 0;
  return Number(m[1]) * 1000 + frac;
}

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

/** The share (0..1) a FractionalPercent stands for; absent means 0, as Envoy reads it. */
export function fractionOf(p: FractionalPercent | undefined): number {
  if (!p) return 0;
  const denominator = DENOMINATORS[p.denominator ?? 'HUNDRED'];
  return Math.min(1, (p.numerator ?? 0) / denominator);
}

/** Istio's translation of a VirtualService percentage (0–100, fractional) into per-million. */
export function percentToFraction(percent: number): FractionalPercent {
  const numerator = Math.trunc(percent * 10_000);
  // Protobuf JSON omits a zero numerator.
  return numerator ? { numerator, denominator: 'MILLION' } : { denominator: 'MILLION' };
}
