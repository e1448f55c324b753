/** Plans written on the fly into a temporary folder, naming the repository's manifests by absolute path. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './cli.js';

export const manifest = (p: string): string => JSON.stringify(join(root, 'manifests', p));

/** A one-step plan (all traffic to v1, checked) named `name`, with `extra` YAML appended to the top level. */
export function oneStepPlan(name: string, opts: { step?: string; extra?: string } = {}): string {
  return [
    `name: ${JSON.stringify(name)}`,
    `setup: [${manifest('istio/destination-rule-all.yaml')}]`,
    'steps:',
    `  - name: ${JSON.stringify(opts.step ?? 'all-v1')}`,
    `    apply: [${manifest('routing/virtual-service-all-v1.yaml')}]`,
    '    expect:',
    '      - reviews: { v1: 100 }',
    opts.extra ?? '',
  ].join('\n');
}

/** Writes `text` as `file` in a fresh temporary folder; returns its path. */
export async function writePlan(text: string | Buffer, file = 'plan.yaml'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshproof-plan-'));
  const path = join(dir, file);
  await writeFile(path, text);
  return path;
}
