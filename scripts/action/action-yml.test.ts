/**
 * action.yml wires the tested scripts together. What cannot run here, and is checked only as
 * written: actions/setup-node and actions/upload-artifact (they need GitHub's runner), the global
 * install of the packed tarball, and `meshproof up`/`down` on a real kind cluster (the nightly
 * workflow runs them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PINNED } from '../../src/istio/install/versions.js';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const root = join(import.meta.dirname, '..', '..');
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8'));
const nightly = parse(readFileSync(join(root, '.github', 'workflows', 'nightly.yml'), 'utf8'));
const steps: Step[] = action.runs.steps;
const step = (name: string) => steps.find((s) => s.name?.startsWith(name))!;

describe('action.yml', () => {
  it('is a composite action whose script steps run the scripts tested beside this file', () => {
    expect(action.runs.using).toBe('composite');
    const scripts = steps.flatMap((s) =>
      [...(s.run ?? '').matchAll(/scripts\/action\/([\w-]+\.sh)/g)].map((m) => m[1]),
    );
    expect(scripts).toEqual(['install-kind.sh', 'run-plans.sh', 'summary.sh']);
    for (const s of scripts) {
      expect(existsSync(join(root, 'scripts', 'action', s!))).toBe(true);
      expect(existsSync(join(root, 'scripts', 'action', s!.replace(/\.sh$/, '.test.ts')))).toBe(true);
    }
  });

  it('defaults to kind at the pinned version, with the pinned checksum the nightly workflow uses too', () => {
    expect(action.inputs.target.default).toBe('kind');
    expect(action.inputs['kind-version'].default).toBe(PINNED.kind);
    expect(action.inputs['kind-sha256'].default).toBe(nightly.env.KIND_SHA256);
    expect(step('Install kind')).toMatchObject({
      if: "inputs.target == 'kind'",
      env: { KIND_VERSION: '${{ inputs.kind-version }}', KIND_SHA256: '${{ inputs.kind-sha256 }}' },
    });
  });

  it('passes the version inputs to meshproof as the variables that override its pins', () => {
    for (const name of ['meshproof up', 'Run the plans'])
      expect(step(name).env).toMatchObject({
        MESHPROOF_KIND_VERSION: '${{ inputs.kind-version }}',
        MESHPROOF_NODE_IMAGE: '${{ inputs.node-image }}',
        MESHPROOF_ISTIO_VERSION: '${{ inputs.istio-version }}',
      });
  });

  it('writes the summary, uploads the reports and ends with the exit code, even after a failure, in that order', () => {
    const order = ['Run the plans', 'Job summary', 'Upload the reports', 'meshproof down', 'Exit with'];
    expect(order.map((n) => steps.indexOf(step(n)))).toEqual([...order.keys()].map((i) => i + steps.length - 5));
    for (const n of order.slice(1)) expect(step(n).if).toMatch(/^always\(\)/);
    expect(step('Upload the reports').uses).toMatch(/^actions\/upload-artifact@v\d+$/);
    expect(step('Upload the reports').with?.path).toBe('${{ inputs.reports }}/');
    expect(step('Exit with').env?.CODE).toBe('${{ steps.run.outputs.exit-code }}');
    expect(step('Exit with').run).toContain('exit "$CODE"');
    expect(step('Run the plans').id).toBe('run');
  });

  it('installs meshproof from the tarball npm pack makes of its own source', () => {
    const run = step('Install meshproof').run!;
    expect(run.indexOf('npm ci')).toBeLessThan(run.indexOf('npm pack'));
    expect(run).toContain('npm install --global');
    expect(run).toContain('meshproof --version');
  });
});
