/**
 * Closed-loop load for the benchmarks, and interleaved rounds: on a noisy machine, contenders
 * measured one after the other see different weather, so each contender gets several short rounds
 * taken in turn and its rate is its total requests over its total time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { IngressClient } from '../src/traffic/client.js';

export interface Rate {
  requests: number;
  seconds: number;
  rps: number;
  /** Cores each metered process used during this contender's rounds (CPU seconds per second). */
  cores: Record<string, number>;
}

/** Cumulative CPU seconds of a process, read when called. */
export type CpuMeter = () => number;

export interface Contender {
  name: string;
  /** Warms the JIT, connections and caches up; not measured. */
  warmup(): Promise<unknown>;
  /** Runs one measured round and says how many requests completed in how long. */
  round(): Promise<{ requests: number; seconds: number }>;
}

/** A warm-up each, then `rounds` rounds each, in turn (A B C A B C …), metering CPU per contender. */
export async function interleave(
  contenders: Contender[],
  rounds: number,
  meters: Record<string, CpuMeter> = {},
): Promise<Record<string, Rate>> {
  for (const c of contenders) await c.warmup();
  const sum = new Map(contenders.map((c) => [c.name, { requests: 0, seconds: 0, cpu: {} as Record<string, number> }]));
  for (let i = 0; i < rounds; i++) {
    for (const c of contenders) {
      const before = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m()]));
      const r = await c.round();
      const s = sum.get(c.name)!;
      s.requests += r.requests;
      s.seconds += r.seconds;
      for (const [k, m] of Object.entries(meters)) s.cpu[k] = (s.cpu[k] ?? 0) + m() - before[k]!;
    }
  }
  return Object.fromEntries(
    [...sum].map(([name, s]) => [
      name,
      {
        requests: s.requests,
        seconds: s.seconds,
        rps: s.seconds > 0 ? s.requests / s.seconds : 0,
        cores: Object.fromEntries(
          Object.entries(s.cpu).map(([k, v]) => [k, s.seconds > 0 ? Math.round((v / s.seconds) * 100) / 100 : 0]),
        ),
      },
    ]),
  );
}

/** This process's CPU seconds (user + system). */
export const selfCpu: CpuMeter = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

let ticks: number | undefined;

/** Another process's CPU seconds, from /proc/<pid>/stat (Linux); 0 where it cannot be read. */
export function procCpu(pid: number): CpuMeter {
  ticks ??= clockTicks();
  return () => {
    try {
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const after = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(after[11]) + Number(after[12])) / ticks!;
    } catch {
      return 0;
    }
  };
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/**
 * `concurrency` workers on meshproof's own HTTP client, each sending the next request as soon as
 * its last answer is read, until `ms` have passed. Any answer but a 200 is a failed benchmark.
 */
export async function clientRound(
  client: IngressClient,
  path: string,
  concurrency: number,
  ms: number,
): Promise<{ requests: number; seconds: number }> {
  let requests = 0;
  const started = performance.now();
  const end = started + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const a = await client.send(path);
        if (a.status !== 200) throw new Error(`GET ${path} answered ${a.status ?? a.error} during the benchmark`);
        requests++;
      }
    }),
  );
  return { requests, seconds: (performance.now() - started) / 1000 };
}

export function ratio(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 100) / 100 : 0;
}
