/**
 * One KwokTarget for the kwok suites that drive the target in this process (a second one would
 * serve a second data plane and take the pods' port-forwards from the first). `up` again after a
 * command-line run on kwok: that run's data plane held the forwards and is gone.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bookinfoClassifier } from '../../src/bookinfo/classifier/index.js';
import { paths } from '../../src/core/paths.js';
import { loadManifestFile, type LoadedObject } from '../../src/kube/manifest.js';
import type { RunResults } from '../../src/model/results.js';
import { loadPlan } from '../../src/plan/load.js';
import { runPlan } from '../../src/runner/run-plan.js';
import { KwokTarget } from '../../src/targets/kwok/kwok-target.js';
import type { Target } from '../../src/targets/target.js';

/** The data plane's seed and every plan run's. */
export const SEED = 21;

let shared: KwokTarget | null = null;
let serving = false;

export async function baseObjects(): Promise<LoadedObject[]> {
  return (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
}

/** The shared target, up in this process (once): its data plane serves the pods. */
export async function sharedTarget(): Promise<KwokTarget> {
  if (!serving) await upAgain();
  return shared!;
}

/** Up again: serves the pods from this process after a command-line run served them from its own. */
export async function upAgain(): Promise<KwokTarget> {
  shared ??= new KwokTarget({ build: false, makeBeforeBreakMs: 0, seed: SEED });
  await shared.up({ namespace: 'default', base: await baseObjects() });
  serving = true;
  return shared;
}

export async function closeSharedTarget(): Promise<void> {
  await shared?.close();
  [shared, serving] = [null, false];
}

/**
 * A plan run by the runner itself on a target already up, so `up` is not paid again for every
 * plan (the command line's `up` and `run` on kwok have suites of their own).
 */
export async function runOnTarget(target: KwokTarget, file: string): Promise<RunResults> {
  const stop = new AbortController();
  return runPlan({
    plan: await loadPlan(file),
    target: alreadyUp(target),
    classifier: bookinfoClassifier,
    base: await baseObjects(),
    emit: async () => undefined,
    reportDir: await mkdtemp(join(tmpdir(), 'kwok-plan-')),
    seed: SEED,
    signal: stop.signal,
    hardSignal: stop.signal,
  });
}

/** The target as is, with `up` a no-op. */
function alreadyUp(target: KwokTarget): Target {
  return new Proxy(target, {
    get(t, key) {
      if (key === 'up') return async () => undefined;
      const v: unknown = Reflect.get(t, key, t);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}
