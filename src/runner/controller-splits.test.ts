import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/manifest.js';
import { canaryRouteName, canaryWeights, rolloutWeights, versionSplit } from './controller-splits.js';

const meta = { name: 'reviews', namespace: 'default' };
const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }];

function rollout(status: object, strategy: object = { canary: { steps } }): KubeObject {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: meta, spec: { strategy }, status };
}

describe('rolloutWeights', () => {
  it("reads the traffic router's weights from status.canary.weights", () => {
    const r = rollout({
      currentStepIndex: 1,
      canary: {
        weights: { canary: { weight: 20, podTemplateHash: 'b' }, stable: { weight: 80, podTemplateHash: 'a' } },
      },
    });
    expect(rolloutWeights(r)).toEqual({
      stable: 80,
      canary: 20,
      from: 'Rollout default/reviews status.canary.weights',
    });
  });

  it('falls back to the last setWeight at or before the current step', () => {
    expect(rolloutWeights(rollout({ currentStepIndex: 3 }))).toMatchObject({ stable: 50, canary: 50 });
    expect(rolloutWeights(rollout({ currentStepIndex: 0 }))).toMatchObject({ stable: 80, canary: 20 });
    expect(rolloutWeights(rollout({}))).toMatchObject({ stable: 80, canary: 20 });
  });

  it('puts all traffic on stable past the last step (promoted)', () => {
    expect(rolloutWeights(rollout({ currentStepIndex: 5 }))).toMatchObject({ stable: 100, canary: 0 });
  });

  it('refuses a Rollout without a canary strategy', () => {
    expect(rolloutWeights(rollout({}, { blueGreen: {} }))).toEqual({
      problem: 'Rollout default/reviews has no canary strategy: no split to verify',
    });
  });
});

function vs(http: object[]): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta, spec: { http } };
}

describe('canaryWeights', () => {
  it('reads the weights Flagger wrote on <service>-primary and <service>-canary', () => {
    const route = [
      { destination: { host: 'reviews-primary' }, weight: 70 },
      { destination: { host: 'reviews-canary.default.svc.cluster.local' }, weight: 30 },
    ];
    expect(canaryWeights(vs([{ route }]), 'reviews')).toEqual({
      stable: 70,
      canary: 30,
      from: 'VirtualService default/reviews spec.http[0]',
    });
  });

  it('takes a lone destination without a weight as 100 %', () => {
    expect(canaryWeights(vs([{ route: [{ destination: { host: 'reviews-primary' } }] }]), 'reviews')).toMatchObject({
      stable: 100,
      canary: 0,
    });
  });

  it('refuses a VirtualService Flagger does not manage', () => {
    const r = canaryWeights(vs([{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]), 'reviews');
    expect(r).toEqual({
      problem:
        'VirtualService default/reviews routes to neither reviews-primary nor reviews-canary: not one Flagger manages',
    });
  });

  it("names the route after the Canary's spec.service.name, else the Canary", () => {
    const canary = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'podinfo' } };
    expect(canaryRouteName({ ...canary, spec: { service: { name: 'reviews' } } })).toBe('reviews');
    expect(canaryRouteName({ ...canary, spec: {} })).toBe('podinfo');
  });
});

describe('versionSplit', () => {
  const versions = { stable: 'v1', canary: 'v3' };

  it('puts each side on the version it serves, leaving out a side at 0 %', () => {
    expect(versionSplit({ stable: 80, canary: 20, from: 'x' }, versions)).toEqual({ split: { v1: 80, v3: 20 } });
    expect(versionSplit({ stable: 100, canary: 0, from: 'x' }, versions)).toEqual({ split: { v1: 100 } });
  });

  it('refuses weights that do not sum to 100, and a split between one version and itself', () => {
    expect(versionSplit({ stable: 80, canary: 10, from: 'x' }, versions)).toEqual({
      problem: 'x: stable 80 + canary 10 is not 100',
    });
    expect(versionSplit({ stable: 50, canary: 50, from: 'x' }, { stable: 'v1', canary: 'v1' })).toMatchObject({
      problem: expect.stringMatching(/cannot be told apart/),
    });
    expect(versionSplit({ stable: 0, canary: 100, from: 'x' }, { stable: 'v1', canary: 'v1' })).toEqual({
      split: { v1: 100 },
    });
  });
});
