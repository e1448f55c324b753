/**
 * Everything a `run` or `tutorial` command does between parsing flags and choosing an exit code:
 * load the plan, prepare the report folder, pick the target, take the lease on its cluster, wire
 * the reporters, run, keep serving when asked. Bad input is refused here, before any target is
 * touched; a cluster another meshproof process works on is refused (exit 3) before anything is applied.
 */
import { randomInt } from 'node:crypto';
import { rmdir } from 'node:fs/promises';
import type { Overrides } from '../plan/settings.js';
import type { RunResults } from '../model/results.js';
import { loadPlan } from '../plan/load.js';
import { createReporters, Multiplexer } from '../report/index.js';
import { bookinfoClassifier } from '../bookinfo/classifier/index.js';
import { loadManifestFile } from '../kube/manifest.js';
import { paths } from '../core/paths.js';
import { createTarget, type TargetRequest } from '../targets/select.js';
import { leaseCluster } from '../targets/lease.js';
import { runPlan } from './run-plan.js';
import { unreachableVerdicts } from './reachable-verdicts.js';
import { InputError } from '../core/errors.js';
import { createReportDir } from '../report/report-dir.js';

export interface SessionIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  tty: boolean;
}

export interface RunSessionOptions {
  planFile: string;
  target: TargetRequest;
  overrides: Overrides;
  reportDir?: string;
  /** `--overwrite`: empty an existing report folder (one holding results.json) first. */
  overwrite?: boolean;
  seed?: number;
  json: boolean;
  keep: boolean;
  /** `--shared`: work beside other meshproof processes on the same cluster that share it too. */
  shared?: boolean;
  signal: AbortSignal;
  hardSignal: AbortSignal;
}

export async function runSession(o: RunSessionOptions, io: SessionIO): Promise<RunResults> {
  const plan = await loadPlan(o.planFile, o.overrides);
  const unreachable = unreachableVerdicts(plan);
  if (unreachable.length) throw new InputError(unreachable);
  const reportDir = await createReportDir({
    dir: o.reportDir,
    planName: plan.name,
    overwrite: o.overwrite ?? false,
  });
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  const seed = o.seed ?? randomInt(0, 2 ** 31 - 1);
  const target = await createTarget({ ...o.target, seed, stopAtEnd: !o.keep }, io);
  const lease = await leaseCluster(target, { shared: o.shared ?? false }).catch(async (err: unknown) => {
    // Refused before anything ran: the folder this run made for its report stays empty, so it goes.
    if (o.reportDir === undefined) await rmdir(reportDir).catch(() => undefined);
    throw err;
  });
  for (const n of lease?.notes ?? []) io.stderr.write(`${n}\n`);
  const mux = new Multiplexer(
    createReporters({ reportDir, console: { stream: io.stderr, tty: io.tty, json: o.json }, stdout: io.stdout }),
    io.stderr,
  );
  try {
    const results = await runPlan({
      plan,
      target,
      classifier: bookinfoClassifier,
      base,
      emit: (e) => mux.emit(e),
      reportDir,
      seed,
      signal: o.signal,
      hardSignal: o.hardSignal,
    });
    await mux.close();
    if (o.keep && !o.signal.aborted) await keepServing(target, io, o.signal);
    return results;
  } finally {
    try {
      await target.close();
    } finally {
      await lease?.release();
    }
  }
}

/** --keep: the mesh stays up so a person can open the page the tutorial describes. */
async function keepServing(
  target: Awaited<ReturnType<typeof createTarget>>,
  io: SessionIO,
  signal: AbortSignal,
): Promise<void> {
  const url = `${await target.ingressUrl()}/productpage`;
  io.stderr.write(`\nThe mesh keeps serving: open ${url}\n`);
  if (target.traits.servesWhile !== 'process') return;
  io.stderr.write('Press Ctrl-C to stop.\n');
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
