/**
 * Input built to hurt (alias bombs, huge annotations, files that are not text) and slips a person
 * makes (an unclosed brace): exit 2 naming the file, before anything is read too far or applied.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { meshproof, root } from './cli.js';
import { manifest, oneStepPlan, writePlan } from './quick-plan.js';

/** A "billion laughs" document: nine levels of nine aliases each. */
function aliasBomb(top: string): string {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${top}\n${levels.join('\n')}\n`;
}

function manifestWithAnnotation(bytes: number): string {
  return [
    'apiVersion: networking.istio.io/v1',
    'kind: VirtualService',
    'metadata:',
    '  name: reviews',
    '  annotations:',
    `    note: "${'x'.repeat(bytes)}"`,
    'spec:',
    '  hosts: [reviews]',
    '  http:',
    '  - route:',
    '    - destination: { host: reviews, subset: v1 }',
    '',
  ].join('\n');
}

function planApplying(file: string): string {
  return oneStepPlan('big', {}).replace(manifest('routing/virtual-service-all-v1.yaml'), JSON.stringify(file));
}

describe('hostile and broken input', () => {
  it('an alias bomb in a plan: run exits 2 naming the plan, nothing written', async () => {
    const plan = await writePlan(aliasBomb('name: bomb\nsteps: []'));
    const run = await meshproof(['run', plan, '--target', 'local']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${plan}: YAML aliases expand too far`);
    expect(existsSync(join(run.reportDir, 'results.json'))).toBe(false);
  });

  it('an alias bomb in a manifest: lint reports that file and still checks the good plan beside it', async () => {
    const bomb = await writePlan(aliasBomb('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: boom }'), 'bomb.yaml');
    const plan = await writePlan(planApplying(bomb));
    const run = await meshproof(['lint', plan, join(root, 'plans', 'tutorial.yaml')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`error ${bomb}:\\d+: YAML aliases expand too far`));
    expect(run.stdout).toMatch(/ok +.*plans\/tutorial\.yaml/);
  });

  it('annotations over 256 KiB are refused as the API server refuses them, naming file and field', async () => {
    const file = await writePlan(manifestWithAnnotation(300 * 1024), 'annotated.yaml');
    const plan = await writePlan(planApplying(file));
    const run = await meshproof(['run', plan, '--target', 'local']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `${file}:5 \\(metadata\\.annotations\\): annotations total 301 KiB, over the API server's limit of 256 KiB`,
      ),
    );
    expect(existsSync(join(run.reportDir, 'applied'))).toBe(false);
  });

  it('a manifest file over the stated size is refused before parsing, without reading it into memory', async () => {
    const file = await writePlan(manifestWithAnnotation(50 * 1024 * 1024), 'huge.yaml');
    const plan = await writePlan(planApplying(file));
    const run = await meshproof(['lint', plan]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain(
      `${file}: manifest ${file}: the file is 50 MiB, larger than the 4 MiB meshproof reads`,
    );
  });

  it('a plan that is not UTF-8 is refused, naming file and line', async () => {
    const plan = await writePlan(
      Buffer.from(oneStepPlan('latin1').replace('name: "all-v1"', 'name: "st\u00e9p"'), 'latin1'),
    );
    const run = await meshproof(['lint', plan]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain(`${plan}:4: the file is not UTF-8 text`);
  });

  it('a missing } is reported on the line that opened it', async () => {
    const plan = await writePlan(
      oneStepPlan('brace').replace('reviews: { v1: 100 }', 'reviews: { v1: 100') +
        '\n  - name: next\n    expect:\n      - reviews: { v1: 100 }\n',
    );
    const run = await meshproof(['lint', plan]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`${plan}:7:\\d+: YAML syntax: "\\{" opened here is never closed`));
  });
});
