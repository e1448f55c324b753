/**
 * The namespace fence (issue 30, item 3), through the real command line: a traffic plan writes only
 * to its own namespace and only the kinds a traffic plan needs. A privileged Deployment in
 * kube-system, kube-system/coredns's ConfigMap and a mesh-wide DENY AuthorizationPolicy in
 * istio-system are refused by `run` (exit 2 naming the manifest's file, line and field, before any
 * target is started) and by `lint` alike; `allowNamespaces` lets them through, and results.json and
 * summary.md list what it let through.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { meshproof, results, root } from './cli.js';

const FENCE = join(root, 'e2e', 'plans', 'fence');
const manifest = (file: string) => join(FENCE, 'manifests', file);

const refused = [
  {
    plan: 'privileged-kube-system.yaml',
    at: `${manifest('node-agent-kube-system.yaml')}:6 (metadata.namespace)`,
    ref: 'Deployment node-agent.kube-system',
    // Its host access is named too, each at its own field.
    also: [
      `${manifest('node-agent-kube-system.yaml')}:14 (spec.template.spec.hostPID)`,
      `${manifest('node-agent-kube-system.yaml')}:15 (spec.template.spec.hostNetwork)`,
      `${manifest('node-agent-kube-system.yaml')}:20 (spec.template.spec.containers[0].securityContext.privileged)`,
      `${manifest('node-agent-kube-system.yaml')}:25 (spec.template.spec.volumes[0].hostPath)`,
    ],
  },
  {
    plan: 'coredns.yaml',
    at: `${manifest('coredns-configmap.yaml')}:6 (metadata.namespace)`,
    ref: 'ConfigMap coredns.kube-system',
    also: [],
  },
  {
    plan: 'mesh-wide-deny.yaml',
    at: `${manifest('deny-all-istio-system.yaml')}:6 (metadata.namespace)`,
    ref: 'AuthorizationPolicy deny-everything.istio-system',
    also: [],
  },
];

describe('a traffic plan cannot change system namespaces', () => {
  it.each(refused)('$plan: run exits 2 naming file, line and field, before anything is applied', async (c) => {
    const run = await meshproof(['run', join(FENCE, c.plan), '--target', 'local']);
    expect(run.code, run.stderr).toBe(2);
    const line = run.stderr.split('\n').find((l) => l.includes(c.at));
    expect(line, run.stderr).toContain(`${c.ref}: outside the plan's namespace default`);
    expect(line).toContain('allowNamespaces');
    for (const at of c.also) expect(run.stderr).toContain(at);
    // Refused while loading the plan: no target was started, no report written.
    expect(run.stderr).not.toMatch(/Starting|Deploying|▸/);
    expect(existsSync(join(run.reportDir, 'results.json'))).toBe(false);
  });

  it.each(refused)('$plan: lint reports the same', async (c) => {
    const run = await meshproof(['lint', join(FENCE, c.plan)]);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stdout).toContain(`error ${c.at}: ${c.ref}: outside the plan's namespace default`);
    for (const at of c.also) expect(run.stdout).toContain(`error ${at}: `);
  });
});

describe('allowNamespaces lets them through, and the reports say so', () => {
  it('lint: valid, with a warning for the host access it allows', async () => {
    const run = await meshproof(['lint', join(FENCE, 'allowed.yaml')]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(`ok    ${join(FENCE, 'allowed.yaml')}`);
    const at = `${manifest('node-agent-kube-system.yaml')}:14 (spec.template.spec.hostPID)`;
    expect(run.stdout).toContain(`warn  ${at}: Deployment node-agent.kube-system: hostPID`);
  });

  it('run: applied, and listed in results.json and summary.md', async () => {
    const run = await meshproof(['run', join(FENCE, 'allowed.yaml'), '--target', 'local']);
    expect(run.code, run.stderr).toBe(0);
    const r = await results(run);
    expect(r.allowNamespaces).toEqual(['kube-system', 'istio-system']);
    expect(r.beyondFence?.map((b) => b.ref)).toEqual([
      'Deployment node-agent.kube-system',
      'ConfigMap coredns.kube-system',
      'AuthorizationPolicy deny-everything.istio-system',
    ]);
    expect(r.beyondFence?.[0]).toMatchObject({ file: manifest('node-agent-kube-system.yaml'), line: 2 });
    const summary = await readFile(join(run.reportDir, 'summary.md'), 'utf8');
    expect(summary).toContain('**allowNamespaces**: kube-system, istio-system');
    for (const ref of ['Deployment node-agent.kube-system', 'ConfigMap coredns.kube-system']) {
      expect(summary).toContain(ref);
    }
    expect(summary).toContain('AuthorizationPolicy deny-everything.istio-system');
    // The console says it too, before the run starts.
    expect(run.stderr).toMatch(/allowNamespaces lets this plan write outside its namespace default/);
  });
});
