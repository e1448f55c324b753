/** The nightly workflow repeats pins that live in versions.ts; these tests keep the two in step. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PINNED } from '../../istio/install/versions.js';

const nightly = parse(readFileSync('.github/workflows/nightly.yml', 'utf8'));
const ci = parse(readFileSync('.github/workflows/ci.yml', 'utf8'));
const steps: { name?: string; run?: string; if?: string; uses?: string }[] = nightly.jobs.kind.steps;
const step = (name: string) => steps.find((s) => s.name?.startsWith(name))!;

describe('nightly workflow', () => {
  it('pins the same kind version and node image digest as versions.ts', () => {
    expect(nightly.env.KIND_VERSION).toBe(PINNED.kind);
    expect(nightly.env.NODE_IMAGE).toBe(PINNED.nodeImage);
    expect(nightly.env.KIND_SHA256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('runs on a schedule and by hand', () => {
    expect(Object.keys(nightly.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
  });

  it('runs every plan and its Gateway API twin through the action at the root, kind pinned and checksummed', () => {
    const action = step('Run every plan');
    expect(action.uses).toBe('./');
    const inputs = (action as { with?: Record<string, string> }).with!;
    expect(inputs).toMatchObject({
      target: 'kind',
      'kind-version': '${{ env.KIND_VERSION }}',
      'kind-sha256': '${{ env.KIND_SHA256 }}',
      'node-image': '${{ env.NODE_IMAGE }}',
      // The cluster stays up for the e2e suites; the last step deletes it.
      down: 'false',
    });
    expect(inputs.plans).toContain('plans/gateway-api/*.yaml');
    expect(nightly.on.workflow_dispatch.inputs.plans.default).toBe('plans/*.yaml plans/gateway-api/*.yaml');
    // failing-* plans prove that a bad canary is caught: they must exit 1.
    expect(inputs['expect-failure']).toBe('plans/failing-*.yaml');
  });

  it('walks the e2e suites on kind after the plans, and always tears down last', () => {
    expect(steps.indexOf(step('e2e'))).toBeGreaterThan(steps.indexOf(step('Run every plan')));
    expect(step('e2e').run).toBe('npx vitest run e2e');
    expect((step('e2e') as { env?: Record<string, string> }).env?.MESHPROOF_TARGET).toBe('kind');
    expect(step('meshproof down')).toMatchObject({ if: 'always()', run: 'node bin/meshproof.js down --target kind' });
    expect(steps.indexOf(step('meshproof down'))).toBe(steps.length - 1);
  });
});

describe('ci workflow', () => {
  it('runs npm ci and npm test on pull requests and pushes', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    const runs = ci.jobs.test.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    expect(runs).toContain('npm test');
    expect(runs.some((r: string) => r.startsWith('npm ci'))).toBe(true);
  });
});
