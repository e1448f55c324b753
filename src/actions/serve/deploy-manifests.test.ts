/**
 * deploy/ as users apply it: serve's RBAC reads the four kinds and nothing more, and the AnalysisTemplate and the
 * Canary's webhooks call endpoints serve answers, with the parameters it needs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../core/paths.js';
import { route } from './routes.js';
import type { ServeVerdict, VerdictRequest } from './verdicts.js';

const load = (file: string) =>
  parseAllDocuments(readFileSync(join(projectRoot, 'deploy', file), 'utf8')).map((d) => d.toJS() as any);

/** Serve's routes with a verdict that passes, remembering what each request asked. */
async function ask(method: string, url: string, body: string) {
  const asked: VerdictRequest[] = [];
  const verdict = { verified: true, outcome: 'passed', intervals: {} } as unknown as ServeVerdict;
  const answer = await route({ method, url, body }, { verdict: async (r) => (asked.push(r), verdict) });
  return { answer, asked };
}

describe('deploy/', () => {
  it('lets serve get and list Rollouts, Canaries, VirtualServices and HTTPRoutes, nothing more', () => {
    const role = load('serve.yaml').find((o) => o.kind === 'ClusterRole');
    const granted = role.rules.flatMap((r: any) =>
      r.apiGroups.flatMap((g: string) => r.resources.map((res: string) => `${res}.${g} ${r.verbs.join(',')}`)),
    );
    expect(granted.sort()).toEqual([
      'canaries.flagger.app get,list',
      'httproutes.gateway.networking.k8s.io get,list',
      'rollouts.argoproj.io get,list',
      'virtualservices.networking.istio.io get,list',
    ]);
  });

  it("has the AnalysisTemplate call /argo/verify with the Rollout's name and sides", async () => {
    const [template] = load('analysis-template.yaml');
    const metric = template.spec.metrics[0];
    expect(metric.successCondition).toBe('result.verified == true');
    const url = new URL(
      (metric.provider.web.url as string)
        .replace('{{args.namespace}}', 'default')
        .replace('{{args.rollout}}', 'reviews')
        .replace('{{args.stable-version}}', 'v1')
        .replace('{{args.canary-version}}', 'v3'),
    );
    const { answer, asked } = await ask('GET', `${url.pathname}${url.search}`, '');
    expect(answer.status).toBe(200);
    expect(asked[0]!.source).toEqual({
      kind: 'rollout',
      namespace: 'default',
      name: 'reviews',
      versions: { stable: 'v1', canary: 'v3' },
    });
  });

  it("has the Canary's three webhooks call serve's endpoints with the sides in metadata", async () => {
    const [canary] = load('flagger-canary.yaml');
    const hooks = canary.spec.analysis.webhooks;
    expect(hooks.map((h: any) => h.type)).toEqual(['rollout', 'confirm-traffic-increase', 'confirm-promotion']);
    for (const h of hooks) {
      const body = JSON.stringify({
        name: 'reviews',
        namespace: 'default',
        phase: 'Progressing',
        metadata: h.metadata,
      });
      const { answer } = await ask('POST', new URL(h.url as string).pathname, body);
      expect(answer.status, h.url).toBe(200);
    }
  });
});
