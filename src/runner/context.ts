/**
 * What every part of a run shares: the target, the sampler, the event sink, the signal, what the
 * run learnt and what it wrote.
 */
import type { RunEvent } from '../model/events.js';
import type { Target } from '../targets/target.js';
import type { Sampler } from '../traffic/sampler.js';
import type { Plan } from '../plan/types.js';
import type { VerifiedSplits } from './verified-splits.js';
import type { WrittenConfig } from './written-config.js';

export interface RunContext {
  plan: Plan;
  target: Target;
  sampler: Sampler;
  emit: (e: RunEvent) => Promise<void>;
  /** Aborted on SIGINT/SIGTERM: stops traffic and waits. */
  signal: AbortSignal;
  /** How often to read proxies while settling: fast on loopback, gentler on a cluster. */
  settlePollMs: number;
  /** Apply notes already warned about (each is said once per run). */
  noted: Set<string>;
  /** The split each user and path last passed with, for settling by traffic (the rollback's too). */
  verifiedSplits: VerifiedSplits;
  /** What the run wrote, read back before and after each step's verification to catch another writer. */
  written: WrittenConfig;
  /** What each step's routes say (`reviews: v1 75%, v3 25%`), by step name: where a run that stops leaves them. */
  intendedRoutes: Map<string, string[]>;
}
