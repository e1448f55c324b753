import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Classification } from '../bookinfo/classification.js';
import { DEFAULT_SETTINGS, type Step } from '../plan/types.js';
import { expectation, plan, reviewsRoute, step as makeStep } from './testing/plans.js';
import type { Target } from '../targets/target.js';
import { IngressClient } from '../traffic/client.js';
import { Sampler } from '../traffic/sampler.js';
import { CLUSTER_SETTLE_PACE_MS, settle, SettleTimeoutError } from './settle.js';
import { stepIntent } from './step-intent.js';
import { VerifiedSplits } from './verified-splits.js';
import { WrittenConfig } from './written-config.js';

// An ingress that keeps answering v1 while the step wants v3: settling by traffic never succeeds.
let server: Server;
let client: IngressClient;
beforeAll(async () => {
  server = createServer((_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('v1'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new IngressClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: 2,
    timeoutMs: 2000,
  });
});
afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const classifier = {
  name: 'fake',
  classify: (): Classification => ({ reviews: 'v1', ratings: null, pod: null, format: 'html' }),
};
const step: Step = makeStep('to-v3', [reviewsRoute({ v3: 100 })], [expectation({ v3: 100 })], {
  settings: { ...DEFAULT_SETTINGS, settleTimeoutMs: 500 },
});

function ctx(targetName: 'existing' | 'local') {
  const traits = {
    lifetime: targetName === 'local' ? 'process' : 'environment',
    servesWhile: targetName === 'local' ? 'process' : 'environment',
    settlePollMs: 1000,
  };
  const target = {
    name: targetName,
    traits,
    proxies: async () => [],
    proxyRoutes: async () => null,
  } as unknown as Target;
  const sampler = new Sampler(client, classifier, performance.now(), () => {});
  return {
    plan: plan([step]),
    target,
    sampler,
    emit: async () => {},
    signal: new AbortController().signal,
    settlePollMs: 1000,
    noted: new Set<string>(),
    verifiedSplits: new VerifiedSplits(),
    written: new WrittenConfig(),
    intendedRoutes: new Map(),
  };
}

describe('settling by traffic', () => {
  it('on a cluster: paced, and a timeout keeps the requests it sent and does not repeat the step name', async () => {
    const err = await settle(ctx('existing'), step, stepIntent(plan([step]), step), performance.now()).catch((e) => e);
    expect(err).toBeInstanceOf(SettleTimeoutError);
    const sent = (err as SettleTimeoutError).records.length;
    // 500 ms at one request per 50 ms: about 10, never the thousands an unpaced loop sends.
    expect(sent).toBeGreaterThan(2);
    expect(sent).toBeLessThanOrEqual(500 / CLUSTER_SETTLE_PACE_MS + 2);
    expect(err.message).toMatch(
      new RegExp(
        `^traffic did not show the new routes within 500ms \\(${sent} requests, waiting for .*\\); last answer v1`,
      ),
    );
  });

  it('on the local mesh: not paced', async () => {
    const err = await settle(ctx('local'), step, stepIntent(plan([step]), step), performance.now()).catch((e) => e);
    expect((err as SettleTimeoutError).records.length).toBeGreaterThan(500 / CLUSTER_SETTLE_PACE_MS + 2);
  });
});
