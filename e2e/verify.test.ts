/**
 * Issue 26: `meshproof verify`, one check with no plan, through the real command line on the local mesh. Its routes
 * live in the process, so `--apply` puts the tutorial's all-v1 state in place (subsets, then the VirtualServices) and
 * settles it; the check then passes what is in place (exit 0), fails what is not (exit 1), refuses bad input before
 * any traffic (exit 2), and without --apply checks Bookinfo's default routing: each version about a third.
 */
import { describe, expect, it } from 'vitest';
import { meshproof } from './cli.js';

const ALL_V1 = [
  '--apply',
  'manifests/istio/destination-rule-all.yaml',
  '--apply',
  'manifests/routing/virtual-service-all-v1.yaml',
];

describe('meshproof verify --target local', () => {
  it('passes the tutorial all-v1 state (exit 0) and prints the verdict as JSON', async () => {
    const r = await meshproof([
      'verify',
      '--target',
      'local',
      ...ALL_V1,
      '--weights',
      'v1=100',
      '--seed',
      '1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ verdict: 'passed', expected: { v1: 100 }, alpha: 0.01, target: 'local' });
    expect(out.requests).toBeGreaterThan(0);
    expect(Object.keys(out.intervals as object)).toEqual(['v1']);
  });

  it('fails a split that is not in place (exit 1), with the reason', async () => {
    const r = await meshproof(['verify', '--target', 'local', ...ALL_V1, '--weights', 'v1=80,v3=20', '--seed', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^failed: v1=80,v3=20 — .*v1 share is above its expected 80%/);
  });

  it("checks Bookinfo's default routing without --apply", async () => {
    const r = await meshproof(['verify', '--target', 'local', '--weights', 'v1=34,v2=33,v3=33', '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
  });

  it.each([
    [['--weights', 'v1=80,v3=30'], /--weights the shares sum to 110, not 100/],
    [[], /exactly one of --weights/],
    [['--weights', 'v1=100', '--from-rollout', 'default/reviews'], /exactly one of/],
    [['--from-canary', 'reviews', '--stable-version', 'v1', '--canary-version', 'v3'], /NAMESPACE\/NAME/],
    [['--from-rollout', 'default/reviews'], /needs --stable-version and --canary-version/],
    [['--weights', 'v1=50,v3=50', '--max-requests', '10'], /could only end inconclusive/],
    [
      ['--from-rollout', 'default/reviews', '--stable-version', 'v1', '--canary-version', 'v3'],
      /bad input: Rollout default\/reviews: not found/,
    ],
  ])('refuses bad input before any traffic: %j (exit 2)', async (flags, message) => {
    const r = await meshproof(['verify', '--target', 'local', ...flags]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('refuses --apply on a cluster target, where verify only reads (exit 2)', async () => {
    const r = await meshproof(['verify', '--target', 'kwok', ...ALL_V1, '--weights', 'v1=100']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--apply is for --target local/);
  });
});
