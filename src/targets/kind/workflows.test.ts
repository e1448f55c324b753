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

  it('checks kind against both the published and the pinned checksum before installing it', () => {
    const run = step('Install kind').run!;
    expect(run.indexOf('sha256sum kind-linux-amd64')).toBeLessThan(run.indexOf('install -m 0755'));
    expect(run).toContain('$published');
    expect(run).toContain('$KIND_SHA256');
  });

  it('brings the cluster up on kind, runs every plan and the e2e suites on kind, and always tears down', () => {
    expect(step('meshproof up').run).toBe('npx meshproof up --target kind --preload-images');
    expect(step('Run every plan').run).toContain(
      'npx meshproof run "$plan" --target kind --report-dir "reports/$name"',
    );
    expect(step('e2e').run).toBe('npx vitest run e2e');
    // The Gateway API twins run too, each into its own report folder.
    expect((step('Run every plan') as { env?: Record<string, string> }).env?.PLANS).toContain(
      'plans/gateway-api/*.yaml',
    );
    expect(nightly.on.workflow_dispatch.inputs.plans.default).toBe('plans/*.yaml plans/gateway-api/*.yaml');
    expect(step('Run every plan').run).toContain('plans/gateway-api/*) name="gateway-api-$name"');
    expect((step('e2e') as { env?: Record<string, string> }).env?.MESHPROOF_TARGET).toBe('kind');
    expect(step('meshproof down')).toMatchObject({ if: 'always()', run: 'npx meshproof down --target kind' });
    expect(steps.indexOf(step('meshproof down'))).toBe(steps.length - 1);
  });

  it('uploads the reports and appends every summary.md to the step summary, even after a failure', () => {
    expect(step('Upload reports')).toMatchObject({
      if: 'always()',
      uses: expect.stringMatching(/^actions\/upload-artifact@/),
    });
    expect(step('Step summary').run).toContain('reports/*/summary.md');
    expect(step('Step summary').run).toContain('$GITHUB_STEP_SUMMARY');
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
