/**
 * The tutorial on a kind cluster made for it: created from the local node image, Istio from the
 * images built here, Bookinfo's stand-ins in real pods with real sidecars; settled by reading the
 * proxies through istioctl over the kubelet's port-forward. A cluster left by an earlier run is
 * deleted first, so `up` creates one and the host's sysctls are recorded before it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/core/paths.js';
import { planObjects, restoreBase } from '../restore-base.js';
import { snapshotHost } from '../../src/targets/kind/host/host-record.js';
import { results, root, type CliRun } from '../cli.js';
import type { RunResults } from '../../src/model/results.js';
import { built, CLUSTER, MIN, onKind } from './kind-env.js';

/** The host's sysctls before the suite made its cluster: doctor-down.suite.ts compares after `down`. */
export let sysctlsBefore: Record<string, string> = {};

describe.skipIf(!built)('the tutorial on kind, from nothing', () => {
  let run: CliRun;
  let r: RunResults;
  beforeAll(async () => {
    const down = await onKind(['down']);
    expect(down.code, down.stderr).toBe(0);
    sysctlsBefore = snapshotHost().sysctls;
    run = await onKind(['tutorial']);
    r = await results(run);
  }, 15 * MIN);
  afterAll(async () => {
    const tutorial = join(root, 'plans', 'tutorial.yaml');
    await restoreBase(join(paths.cache, `kind-${CLUSTER}.kubeconfig`), await planObjects(tutorial));
  }, 2 * MIN);

  it('creates the cluster, installs Istio and Bookinfo, and passes both steps', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/✓ create kind cluster meshproof-e2e/);
    expect(run.stderr).toMatch(/✓ load the Istio and Bookinfo images/);
    expect(run.stderr).toMatch(/✓ install Istio 1\.\d+-dev-[0-9a-f]{12}/);
    expect(r.steps.map((s) => `${s.name}: ${s.outcome}`)).toEqual(['all-v1: passed', 'reviews-v3: passed']);
  });

  it('settles by reading the proxies in the pods, and says what is real and what stands in', () => {
    for (const s of r.steps) expect(s.settledBy, s.name).toBe('proxies');
    expect(r.targetDescription).toContain("Envoy's part played by meshproof's in-pod proxy");
    expect(r.targetDescription).toContain('istiod, pilot-agent and iptables real');
  });

  it('answers from real pods: every page came from a reviews-v3 pod in the second step', () => {
    const pods = Object.keys(r.steps[1]!.expectations[0]!.pods);
    expect(pods.length).toBeGreaterThan(0);
    expect(
      pods.every((p) => /^reviews-v3-[a-z0-9]+-[a-z0-9]{5}$/.test(p)),
      pods.join(', '),
    ).toBe(true);
  });
});
