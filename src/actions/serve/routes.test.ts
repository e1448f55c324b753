import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../../kube/api-error.js';
import { EnvironmentError } from '../../core/errors.js';
import { SplitForbiddenError, SplitInputError } from '../../runner/read-split.js';
import { route } from './routes.js';
import type { ServeVerdict, VerdictRequest } from './verdicts.js';

const verdict = (verified: boolean): ServeVerdict => ({
  verified,
  outcome: verified ? 'passed' : 'failed',
  expected: { v1: 80, v3: 20 },
  observed: { v1: 100 },
  intervals: { v1: [0.96, 1], v3: [0, 0.04] },
  requests: 100,
  alpha: 0.01,
  reason: verified ? 'within the band' : 'v1 share is above its expected 80%',
  from: 'Rollout default/reviews status.canary.weights',
  cached: false,
});

/** Verdicts that answer `answer` and remember what was asked. */
function fake(answer: () => Promise<ServeVerdict>) {
  const asked: VerdictRequest[] = [];
  return { asked, verdict: (r: VerdictRequest) => (asked.push(r), answer()) };
}

const ARGO = '/argo/verify?namespace=default&rollout=reviews&stable=v1&canary=v3';
const flaggerBody = JSON.stringify({
  name: 'reviews',
  namespace: 'shop',
  phase: 'Progressing',
  metadata: { stable: 'v1', canary: 'v3', user: 'jason' },
});

describe('serve routes', () => {
  it('answers /healthz', async () => {
    expect(
      await route(
        { method: 'GET', url: '/healthz', body: '' },
        fake(() => Promise.reject()),
      ),
    ).toEqual({
      status: 200,
      body: { ok: true },
    });
  });

  it("answers Argo Rollouts' web provider with the verdict as JSON, 200 either way", async () => {
    const v = fake(async () => verdict(false));
    const a = await route({ method: 'GET', url: ARGO, body: '' }, v);
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      verified: false,
      outcome: 'failed',
      expected: { v1: 80, v3: 20 },
      observed: { v1: 100 },
      interval: { v1: [0.96, 1], v3: [0, 0.04] },
      requests: 100,
      alpha: 0.01,
      from: 'Rollout default/reviews status.canary.weights',
      cached: false,
      reason: 'v1 share is above its expected 80%',
    });
    expect(v.asked[0]).toEqual({
      source: { kind: 'rollout', namespace: 'default', name: 'reviews', versions: { stable: 'v1', canary: 'v3' } },
      host: 'reviews',
      user: 'anonymous',
      path: '/productpage',
    });
  });

  it('takes the parameters from a JSON body too', async () => {
    const v = fake(async () => verdict(true));
    const body = JSON.stringify({ namespace: 'default', rollout: 'reviews', stable: 'v1', canary: 'v3', host: 'shop' });
    const a = await route({ method: 'POST', url: '/argo/verify', body }, v);
    expect(a.status).toBe(200);
    expect(v.asked[0]).toMatchObject({ host: 'shop', path: '/' });
  });

  it.each(['rollout', 'confirm-traffic-increase', 'confirm-promotion'])(
    "answers Flagger's %s webhook 200 when traffic confirms the split, 412 with the reason when not",
    async (hook) => {
      const ok = fake(async () => verdict(true));
      expect((await route({ method: 'POST', url: `/flagger/${hook}`, body: flaggerBody }, ok)).status).toBe(200);
      expect(ok.asked[0]).toMatchObject({
        source: { kind: 'canary', namespace: 'shop', name: 'reviews', versions: { stable: 'v1', canary: 'v3' } },
        user: 'jason',
      });
      const bad = await route(
        { method: 'POST', url: `/flagger/${hook}`, body: flaggerBody },
        fake(async () => verdict(false)),
      );
      expect(bad).toMatchObject({
        status: 412,
        body: { verified: false, reason: 'v1 share is above its expected 80%' },
      });
    },
  );

  it('answers 403 and 404 as the API server said them, with a JSON error', async () => {
    const forbidden = new SplitForbiddenError('may not read Rollout default/reviews: the API server answered 403', {
      cause: new KubeApiError('x', { status: 403, message: 'no', causes: [], fieldCauses: [] }),
    });
    expect(
      await route(
        { method: 'GET', url: ARGO, body: '' },
        fake(() => Promise.reject(forbidden)),
      ),
    ).toEqual({
      status: 403,
      body: { error: 'may not read Rollout default/reviews: the API server answered 403' },
    });
    const missing = new SplitInputError('Canary shop/reviews', 'not found', 404);
    const a = await route(
      { method: 'POST', url: '/flagger/rollout', body: flaggerBody },
      fake(() => Promise.reject(missing)),
    );
    expect(a).toEqual({ status: 404, body: { error: 'Canary shop/reviews: not found' } });
  });

  it.each([
    ['GET', '/argo/verify?namespace=default&stable=v1&canary=v3', '', 400, /rollout is required/],
    ['GET', '/argo/verify?namespace=Default&rollout=reviews&stable=v1&canary=v3', '', 400, /not a valid name/],
    ['GET', `${ARGO}&path=//evil.example/`, '', 400, /absolute path/],
    ['POST', '/flagger/rollout', '{not json', 400, /not JSON/],
    ['POST', '/flagger/rollout', JSON.stringify({ name: 'reviews', namespace: 'shop' }), 400, /stable is required/],
    ['GET', '/flagger/rollout', '', 405, /use POST/],
    ['DELETE', ARGO, '', 405, /use GET or POST/],
    ['GET', '/nope', '', 404, /no such endpoint/],
  ])('refuses %s %s with %d and a JSON error, asking nothing', async (method, url, body, status, error) => {
    const v = fake(async () => verdict(true));
    const a = await route({ method, url, body }, v);
    expect(a.status).toBe(status);
    expect((a.body as { error: string }).error).toMatch(error);
    expect(v.asked).toEqual([]);
  });

  it('answers 503 when the environment fails mid-check', async () => {
    const a = await route(
      { method: 'GET', url: ARGO, body: '' },
      fake(() => Promise.reject(new EnvironmentError('ingress gone'))),
    );
    expect(a).toEqual({ status: 503, body: { error: 'ingress gone' } });
  });
});
