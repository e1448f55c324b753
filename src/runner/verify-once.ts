/**
 * `meshproof verify`: one check against routes already in place. Bad input (a split that does not sum to 100, a budget
 * that could only end inconclusive, a manifest that does not load) is refused before any target is touched; the
 * expected split comes from the flags or from an Argo Rollout or Flagger Canary; on the local mesh, whose routes live
 * in this process, `--apply` puts routes in place first.
 */
import type { TargetName } from '../model/results.js';
import { stepSettings, type Overrides } from '../plan/settings.js';
import { loadManifestFile } from '../kube/manifest.js';
import { InputError } from '../core/errors.js';
import { formatWeights } from '../plan/weights-flag.js';
import type { SessionIO } from './session.js';
import { oneStep, type CheckVerdict } from './one-check.js';
import { withCheckSession, type CheckTargetOptions } from './check-target.js';
import { unreachableInSteps } from './reachable-verdicts.js';
import { readControllerSplit, type SplitSource } from './read-split.js';

export interface VerifyOnceOptions extends CheckTargetOptions {
  /** The split itself (`--weights`), or the controller object to read it from. */
  expected: { split: Record<string, number> } | SplitSource;
  host: string;
  user: string;
  path: string;
  overrides: Overrides;
  /** Manifest files to apply first: the local mesh only (the caller checks). */
  apply: string[];
}

export interface VerifyOnceResult extends CheckVerdict {
  target: TargetName;
  /** Where the expected split was read, when a controller's object gave it. */
  from?: string;
}

export async function verifyOnce(o: VerifyOnceOptions, io: SessionIO): Promise<VerifyOnceResult> {
  const settings = stepSettings(undefined, undefined, o.overrides);
  const spec = { host: o.host, user: o.user, path: o.path, settings };
  if ('split' in o.expected) refuseUnreachable({ ...spec, split: o.expected.split });
  const toApply = (await Promise.all(o.apply.map((f) => loadManifestFile(f)))).flat();
  return withCheckSession(o, io, async (session, target) => {
    if (toApply.length) await session.applyAndSettle(toApply, o.signal);
    const read = 'split' in o.expected ? null : await readControllerSplit(target, o.expected);
    const split = read?.split ?? (o.expected as { split: Record<string, number> }).split;
    if (read) io.stderr.write(`expected ${formatWeights(split)}, from ${read.from}\n`);
    const verdict = await session.check({ ...spec, split }, o.signal);
    return { ...verdict, target: target.name, ...(read && { from: read.from }) };
  });
}

function refuseUnreachable(spec: Parameters<typeof oneStep>[0]): void {
  const issues = unreachableInSteps([oneStep(spec, 'verify').step]);
  if (issues.length) throw new InputError(issues);
}
