/**
 * Every shipped plan on kwok gives the verdicts it is written to give (e2e/intended-verdicts.ts),
 * which the local suites hold the local target to as well: a plan that passes on the rehearsal
 * mesh passes against the real istiod, and the one meant to fail fails at the same step. Run by
 * the runner on the shared target, up once; settled by reading the proxies with the real istioctl.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.js';
import type { KwokTarget } from '../../src/targets/kwok/kwok-target.js';
import { root } from '../cli.js';
import { intendedVerdicts, verdictsOf } from '../intended-verdicts.js';
import { built } from './kwok-env.js';
import { planObjects, restoreBase } from '../restore-base.js';
import { runOnTarget, upAgain } from './shared-target.js';

const MIN = 60_000;

describe.skipIf(!built)('every shipped plan on kwok gives the verdicts it gives on the local target', () => {
  const plans = [
    ...readdirSync(join(root, 'plans')).filter((f) => f.endsWith('.yaml')),
    ...readdirSync(join(root, 'plans', 'gateway-api')).map((f) => `gateway-api/${f}`),
  ].sort();
  let target: KwokTarget;

  beforeAll(async () => {
    // Up again in this process: the command-line runs before took the pods' port-forwards.
    target = await upAgain();
  }, 3 * MIN);

  it.each(plans)(
    '%s',
    async (file) => {
      const plan = join(root, 'plans', file);
      const r = await runOnTarget(target, plan);
      await restoreBase(target.kubeconfigPath, await planObjects(plan));
      expect(verdictsOf(r), r.message).toEqual(intendedVerdicts(file, await loadPlan(plan)));
      expect(r.targetDescription).toMatch(/data plane simulated/);
      // A step that changes no route (a baseline) has nothing to settle.
      for (const s of r.steps) if (s.propagationMs) expect(s.settledBy, `${file} ${s.name}`).toBe('proxies');
    },
    4 * MIN,
  );
});
