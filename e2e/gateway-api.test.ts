/**
 * The Gateway API twins of the Istio-API plans, through the real command line on MESHPROOF_TARGET:
 * each twin ends with the verdicts its Istio-API plan is written to give (e2e/intended-verdicts.ts),
 * its traffic goes through the Gateway API gateway, and the read-back layer shows the HTTPRoutes'
 * status. A bad HTTPRoute is refused with exit 2 before anything starts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../src/plan/load.js';
import { meshproof, results, root, target } from './cli.js';
import { intendedVerdicts, verdictsOf } from './intended-verdicts.js';

const TWINS = ['tutorial', 'request-routing', 'traffic-shifting', 'canary'];

describe(`Gateway API twins on the ${target} target`, () => {
  // The Istio-API plans are held to the same intended verdicts in plans.test.ts and tutorial.test.ts.
  it.each(TWINS)(
    "%s: the twin gives the Istio-API plan's verdicts, through the Gateway API gateway",
    async (plan) => {
      const file = join(root, 'plans', 'gateway-api', `${plan}.yaml`);
      const twin = await meshproof(['run', file, '--target', target, '--seed', '21'], { timeoutMs: 180_000 });
      const b = await results(twin);
      expect(verdictsOf(b), twin.stderr).toEqual(intendedVerdicts(`gateway-api/${plan}.yaml`, await loadPlan(file)));
      expect(twin.code, twin.stderr).toBe(b.exitCode);
      expect(twin.stderr).toContain('traffic goes through Gateway default/bookinfo-gateway (Gateway API)');
      for (const step of b.steps) {
        if (step.outcome === 'passed')
          expect(
            step.expectations.map((e) => e.outcome),
            step.name,
          ).toEqual(step.expectations.map(() => 'passed'));
        expect(step.routingApis ?? [], step.name).not.toContain('istio');
        expect(step.layers!.disagreements, step.name).toEqual([]);
        for (const conditions of Object.values(step.layers!.readBack.status ?? {})) {
          for (const c of conditions) expect(c).toMatch(/Accepted=True, ResolvedRefs=True$/);
        }
      }
    },
    400_000,
  );

  it('the tutorial twin: all traffic to v1, then reviews to v3, with HTTPRoute status read back', async () => {
    const run = await meshproof(
      ['run', join(root, 'plans', 'gateway-api', 'tutorial.yaml'), '--target', target, '--seed', '4'],
      { timeoutMs: 180_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const r = await results(run);
    expect(r.steps.map((s) => [s.name, s.outcome, s.routingApis])).toEqual([
      ['all-v1', 'passed', ['gateway-api']],
      ['reviews-v3', 'passed', ['gateway-api']],
    ]);
    expect(r.steps[1]!.layers!.proxies.summary.reviews).toBe('reviews: reviews-v3 100%');
    expect(r.steps[1]!.layers!.readBack.status!.reviews).toEqual(['Service reviews: Accepted=True, ResolvedRefs=True']);
  }, 200_000);
});

describe('a bad HTTPRoute', () => {
  it('exits 2 naming file, line and field of each problem, before any target starts', async () => {
    const run = await meshproof([
      'run',
      join(root, 'e2e', 'plans', 'gateway-api', 'bad-httproute.yaml'),
      '--target',
      'local',
    ]);
    expect(run.code, run.stderr).toBe(2);
    const manifest = 'bad-httproute-manifest.yaml';
    expect(run.stderr).toMatch(
      new RegExp(
        `${manifest}:13 \\(spec\\.rules\\[0\\]\\.filters\\[0\\]\\.type\\): filter type "RequestRewrite" is not one of`,
      ),
    );
    expect(run.stderr).toMatch(
      new RegExp(
        `${manifest}:17 \\(spec\\.rules\\[0\\]\\.backendRefs\\[0\\]\\.weight\\): ` +
          'weight must be a whole number, got "fifty"',
      ),
    );
    expect(run.stderr).toMatch(
      new RegExp(
        `${manifest}:18 \\(spec\\.rules\\[0\\]\\.backendRefs\\[1\\]\\.name\\): ` +
          'backendRef Service default/reviews-v9 is defined by none',
      ),
    );
    // Nothing ran: no plan line from the runner, no report.
    expect(run.stderr).not.toContain('meshproof: plan');
    expect(existsSync(join(run.reportDir, 'results.json'))).toBe(false);
  });

  it('the shorthand as an HTTPRoute without the versioned Services exits 2 at the weights', async () => {
    const run = await meshproof(['lint', join(root, 'e2e', 'plans', 'gateway-api', 'bad-shorthand.yaml')]);
    expect(run.code).toBe(2);
    // lint's findings are its output, on stdout.
    expect(run.stdout).toMatch(
      new RegExp(
        /bad-shorthand\.yaml:9 \(steps\[0\]\.route\.weights\.v3\): routing API gateway-api: weight v3 goes /.source +
          /to Service reviews-v3, which no manifest of this plan defines/.source,
      ),
    );
  });
});
