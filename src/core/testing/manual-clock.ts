/** A Clock that moves only when a test advances it; due timers run in order, synchronously. */
import type { Clock, ClockTimer } from '../clock.js';

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Set<Scheduled>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const s: Scheduled = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(s);
    return s as unknown as ClockTimer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer as unknown as Scheduled);
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way, earliest first. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let next = this.due(end); next; next = this.due(end)) {
      this.timers.delete(next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }

  /** Runs every pending timer (and those they schedule), moving time to the last one. */
  runAll(): void {
    for (let next = this.due(Infinity); next; next = this.due(Infinity)) {
      this.timers.delete(next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
  }

  private due(until: number): Scheduled | undefined {
    let first: Scheduled | undefined;
    for (const s of this.timers)
      if (s.at <= until && (!first || s.at < first.at || (s.at === first.at && s.seq < first.seq))) first = s;
    return first;
  }
}
