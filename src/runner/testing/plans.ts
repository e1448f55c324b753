/** Plans, steps and run contexts built in memory for runner tests (no plan files to load). */
import { DEFAULT_SETTINGS, type Expectation, type Plan, type Settings, type Step } from '../../plan/types.js';
import type { LoadedObject } from '../../kube/manifest.js';
import type { RunEvent } from '../../model/events.js';
import { IngressClient } from '../../traffic/client.js';
import { Sampler } from '../../traffic/sampler.js';
import { fakeClassifier, type FakeTarget } from '../../targets/testing/fake-target.js';
import type { RunContext } from '../context.js';
import { VerifiedSplits } from '../verified-splits.js';
import { WrittenConfig } from '../written-config.js';

export const SETTINGS: Settings = { ...DEFAULT_SETTINGS, settleTimeoutMs: 2_000, maxRequests: 400, concurrency: 2 };

/** A reviews VirtualService with these weights by subset. */
export function reviewsRoute(weights: Record<string, number>): LoadedObject {
  const route = Object.entries(weights).map(([subset, weight]) => ({
    destination: { host: 'reviews', subset },
    weight,
  }));
  return {
    object: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'default' },
      spec: { hosts: ['reviews'], http: [{ route }] },
    },
    source: { file: 'test.yaml', line: 1, index: 0, lineOf: () => 1 },
  };
}

export function expectation(reviews: Record<string, number>, extra: Partial<Expectation> = {}): Expectation {
  return { user: 'anonymous', path: '/productpage', reviews, concurrency: 2, at: { file: 'plan.yaml' }, ...extra };
}

export function step(name: string, objects: LoadedObject[], expect: Expectation[], extra: Partial<Step> = {}): Step {
  return { name, at: { file: 'plan.yaml' }, apply: [], objects, expect, gates: {}, settings: SETTINGS, ...extra };
}

export function plan(steps: Step[], rollback: Step | null = null): Plan {
  return {
    name: 'unit',
    file: '/tmp/plan.yaml',
    namespace: 'default',
    defaults: SETTINGS,
    setup: [],
    steps,
    rollback,
    routingApi: 'istio',
    notes: [],
  };
}

/** A context over an up fake target; events land in `events`. Close `client` after the test. */
export async function context(
  target: FakeTarget,
  p: Plan,
): Promise<{ ctx: RunContext; events: RunEvent[]; client: IngressClient }> {
  const events: RunEvent[] = [];
  const client = new IngressClient({ baseUrl: await target.ingressUrl(), connections: 2, timeoutMs: 2_000 });
  const sampler = new Sampler(client, fakeClassifier, performance.now(), () => undefined);
  const emit = async (e: RunEvent) => void events.push(e);
  return {
    ctx: {
      plan: p,
      target,
      sampler,
      emit,
      signal: new AbortController().signal,
      settlePollMs: target.traits.settlePollMs,
      noted: new Set(),
      verifiedSplits: new VerifiedSplits(),
      written: new WrittenConfig(),
      intendedRoutes: new Map(),
    },
    events,
    client,
  };
}
