/**
 * Issue 25 on kwok: plans of your own services run against the real istiod as on the local target,
 * each of their pods served by the echo stand-in (Bookinfo's images keep Bookinfo's). `--target
 * existing` against this cluster stands for a team's real app already running: the plan only
 * routes, and reads the app's release from its JSON. By the command line, as a user runs them,
 * examples/shop, flagger-style and argo-rollouts-style pass (exit 0), and shop with a weight off
 * fails (exit 1) and rolls back. Each plan's objects are deleted after it (restore-base.ts).
 */
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/core/paths.js';
import { poll } from '../../src/core/wait.js';
import { loadManifestFile, type LoadedObject } from '../../src/kube/manifest.js';
import type { RunResults } from '../../src/model/results.js';
import { binary } from '../../src/targets/kwok/control-plane/binaries.js';
import { ControlPlane } from '../../src/targets/kwok/control-plane/control-plane.js';
import type { KwokTarget } from '../../src/targets/kwok/kwok-target.js';
import { meshproof, results, root } from '../cli.js';
import { planObjects, restoreBase } from '../restore-base.js';
import { SHOP, shopExpecting } from '../shop-example.js';
import { built } from './kwok-env.js';
import { closeSharedTarget, SEED, sharedTarget } from './shared-target.js';

const MIN = 60_000;
const kubeconfig = new ControlPlane(paths.cache).layout.kubeconfig;
const EXISTING = join(root, 'e2e', 'plans', 'existing-app');
/** The report says what answered: stand-ins, the echo app for images that are not Bookinfo's. */
const ECHO_SAID = /data plane simulated: stand-in apps \(Bookinfo's, or the echo app for other images\)/;

/** Every object the test's plan (and app) made, deleted after it so the next test does not meet them. */
let made: LoadedObject[] = [];
afterEach(async () => {
  const objects = made;
  made = [];
  if (objects.length) await restoreBase(kubeconfig, objects);
}, 2 * MIN);

describe.skipIf(!built)('your own services on kwok: the echo stand-in in every pod that is not Bookinfo', () => {
  describe('--target existing against this cluster: an app already running, its release read from its JSON', () => {
    let target: KwokTarget;

    beforeAll(async () => {
      // This process's data plane serves the pods; the existing target only reaches them, as a user's cluster's.
      target = await sharedTarget();
    }, 3 * MIN);

    it(
      'routes shift 100/0, then 80/20 between releases 1.4.2 and 1.5.0; settled by reading the proxies',
      async () => {
        const app = await loadManifestFile(join(EXISTING, 'app.yaml'));
        made = [...app, ...(await planObjects(join(EXISTING, 'plan.yaml')))];
        await target.apply(app);
        await servedByEcho(target, 'inventory', 2);
        const istioctlDir = dirname(binary(paths.cache, 'istioctl'));
        const run = await meshproof(
          [
            'run',
            join(EXISTING, 'plan.yaml'),
            '--target',
            'existing',
            '--kubeconfig',
            kubeconfig,
            '--ingress-url',
            await target.ingressUrl(),
            '--seed',
            String(SEED),
          ],
          // The istioctl built for kwok, found on PATH as a user's own would be.
          { timeoutMs: 4 * MIN, env: { PATH: `${istioctlDir}${delimiter}${process.env.PATH ?? ''}` } },
        );
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).not.toMatch(/istioctl not usable/);
        const r = await results(run);
        expect(r.targetDescription).toMatch(/^existing cluster \(/);
        expect(stepVerdicts(r)).toEqual([
          ['stable-only', 'passed'],
          ['next-20', 'passed'],
        ]);
        const split = r.steps[1]!.expectations[0]!;
        expect(split.versionFrom).toBe('json version');
        expect(Object.keys(split.observed).sort()).toEqual(['1.4.2', '1.5.0']);
        expect(r.steps[1]!.settledBy).toBe('proxies');
      },
      6 * MIN,
    );
  });

  describe('the examples by the command line', () => {
    beforeAll(async () => {
      // The control plane up and kept (by this process's target), but each run serves the pods alone, as a
      // user's run does: two data planes would both write the new pods' port-forwards, and settling could
      // read the other one's proxies.
      await sharedTarget();
      await closeSharedTarget();
    }, 3 * MIN);

    it(
      'examples/shop passes (exit 0): cart 90/10 and the header rule, forwarded through frontend’s own sidecar',
      async () => {
        const run = await runOnKwok(join(SHOP, 'plan.yaml'));
        expect(run.code, run.stderr).toBe(0);
        const r = await results(run);
        expect(r.targetDescription).toMatch(ECHO_SAID);
        expect(stepVerdicts(r)).toEqual([
          ['frontend-answers', 'passed'],
          ['cart-90-10', 'passed'],
          ['cart-tenant-beta', 'passed'],
        ]);
        // Counted by the cart pods istiod's routes chose, not the frontend that forwarded.
        const split = r.steps[1]!.expectations[0]!;
        expect(Object.keys(split.observed).sort()).toEqual(['v1', 'v2']);
        expect(Object.keys(split.pods).sort()).toEqual([
          expect.stringMatching(/^cart-v1-/),
          expect.stringMatching(/^cart-v2-/),
        ]);
        expect(r.steps[2]!.expectations.map((e) => Object.keys(e.observed))).toEqual([['v2'], ['v1']]);
      },
      5 * MIN,
    );

    it.each([
      ['flagger-style', ['primary-only', 'canary-10']],
      ['argo-rollouts-style', ['stable-only', 'canary-20']],
    ])(
      'examples/%s passes (exit 0)',
      async (example, steps) => {
        const run = await runOnKwok(join(root, 'examples', example, 'plan.yaml'));
        expect(run.code, run.stderr).toBe(0);
        const r = await results(run);
        expect(r.targetDescription).toMatch(ECHO_SAID);
        expect(stepVerdicts(r)).toEqual(steps.map((s) => [s, 'passed']));
      },
      5 * MIN,
    );

    it(
      'examples/shop with a weight off (90/10 routed, 50/50 expected) fails with exit 1 and rolls back',
      async () => {
        const run = await runOnKwok(await shopExpecting('{ v1: 50, v2: 50 }'));
        expect(run.code, run.stderr).toBe(1);
        const r = await results(run);
        expect(r.steps.map((s) => s.outcome)).toEqual(['passed', 'failed', 'skipped']);
        expect(r.rollback?.outcome).toBe('passed');
        // The failed run's diagnostics name each pod's stand-in and the image it stands in for.
        const dataPlane = await readFile(join(run.reportDir, 'diagnostics', 'data-plane.txt'), 'utf8');
        expect(dataPlane).toMatch(
          /^ {2}app: echo for image registry\.example\.com\/shop\/cart:2\.0\.0, on 127\.0\.0\.1:\d+$/m,
        );
        expect(dataPlane).toMatch(/^ {2}app: bookinfo reviews-v3 for image \S+examples-bookinfo-reviews-v3\S*, on /m);
      },
      5 * MIN,
    );
  });
});

/** Runs a plan on kwok by the command line; what it makes is deleted after the test. */
async function runOnKwok(plan: string) {
  made = await planObjects(plan);
  return meshproof(['run', plan, '--target', 'kwok', '--seed', String(SEED)], { timeoutMs: 4 * MIN });
}

function stepVerdicts(r: RunResults): [string, string][] {
  return r.steps.map((s) => [s.name, s.outcome]);
}

/** Until `count` pods of `app` are served here by the echo stand-in, each proxy configured by istiod. */
async function servedByEcho(target: KwokTarget, app: string, count: number): Promise<void> {
  await poll({
    what: `${count} ${app} pods to be served by the echo stand-in`,
    intervalMs: 250,
    timeoutMs: 2 * MIN,
    check: async () => {
      const pods = target.dataPlane!.proxies().filter((p) => p.identity.labels['app'] === app);
      const ready = pods.filter((p) => p.app?.standIn.startsWith('echo ') && p.proxy.routes().length > 0);
      if (ready.length === count) return { done: true, value: undefined };
      return { done: false, observed: pods.map((p) => `${p.key}: ${p.app?.standIn ?? 'no app'}`).join('; ') || 'none' };
    },
  });
}
