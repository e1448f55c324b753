/**
 * Time as a component sees it: read it, and schedule on it. The real clock is the default; a test
 * passes a manual one (core/testing/manual-clock.ts) and steps it, so what happens "after 150 ms"
 * happens when the test says, however busy the machine is.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

/** An opaque handle from Clock.setTimeout. */
export type ClockTimer = { readonly __clockTimer?: never } | NodeJS.Timeout;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
};
