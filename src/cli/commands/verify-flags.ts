/**
 * What `meshproof verify` checks, from its flags: the expected split (`--weights`, `--from-rollout` or
 * `--from-canary`, exactly one), the service, user and path. Every problem is bad input (exit 2), found before any
 * target is touched.
 */
import type { CliArgs } from '../args.js';
import { InputError, type InputIssue } from '../../core/errors.js';
import { parseWeights } from '../../plan/weights-flag.js';
import type { SplitSource } from '../../runner/read-split.js';
import { BOOKINFO_REVIEWS } from '../../runner/one-check.js';

export interface VerifyRequest {
  expected: { split: Record<string, number> } | SplitSource;
  host: string;
  user: string;
  path: string;
  apply: string[];
}

/** A namespace and a name as Kubernetes spells them: `default/reviews`. */
const OBJECT_REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;

export function verifyRequest(a: CliArgs): VerifyRequest {
  const issues: InputIssue[] = [];
  const problem = (field: string, message: string) => issues.push({ file: '<command line>', field, message });
  const given = (['weights', 'fromRollout', 'fromCanary'] as const).filter((k) => a[k] !== undefined);
  if (given.length !== 1)
    problem(
      '--weights',
      'verify needs exactly one of --weights v1=80,v3=20, --from-rollout NS/NAME, --from-canary NS/NAME',
    );
  let expected: VerifyRequest['expected'] | undefined;
  if (a.weights !== undefined) {
    const w = parseWeights(a.weights);
    if ('problem' in w) problem('--weights', `--weights ${w.problem}`);
    else expected = w;
  }
  const ref = a.fromRollout ?? a.fromCanary;
  if (ref !== undefined) {
    const flag = a.fromRollout !== undefined ? '--from-rollout' : '--from-canary';
    const m = OBJECT_REF.exec(ref);
    if (!m) problem(flag, `${flag} must be NAMESPACE/NAME, such as default/reviews, not "${ref}"`);
    if (a.stableVersion === undefined || a.canaryVersion === undefined)
      problem(flag, `${flag} needs --stable-version and --canary-version: the versions the answers name for each side`);
    if (m && a.stableVersion !== undefined && a.canaryVersion !== undefined)
      expected = {
        kind: a.fromRollout !== undefined ? 'rollout' : 'canary',
        namespace: m[1]!,
        name: m[3]!,
        versions: { stable: a.stableVersion, canary: a.canaryVersion },
      };
  }
  if (a.apply.length && a.target !== 'local')
    problem(
      '--apply',
      '--apply is for --target local, whose routes live in the process; on a cluster verify only reads',
    );
  const host = a.host ?? BOOKINFO_REVIEWS;
  const path = a.path ?? (host === BOOKINFO_REVIEWS ? '/productpage' : '/');
  if (!path.startsWith('/')) problem('--path', `--path must start with /, not "${path}"`);
  if (issues.length || !expected) throw new InputError(issues);
  return { expected, host, user: a.user ?? 'anonymous', path, apply: a.apply };
}
