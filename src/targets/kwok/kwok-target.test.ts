import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../core/errors.js';
import { KwokTarget } from './kwok-target.js';

describe('KwokTarget before up', () => {
  it('says what is real and what is simulated, and has no ingress URL until its data plane serves', async () => {
    const t = new KwokTarget({ cacheDir: await mkdtemp(join(tmpdir(), 'kwok-t-')) });
    expect(t.describe()).toMatch(/^kwok control plane on 127\.0\.0\.1 \(Kubernetes v1\.36\.\d+, Istio 1\.31-dev built from source; pods faked by KWOK, data plane simulated: stand-in apps behind proxies istiod configures over xDS\)$/);
    const err = await t.ingressUrl().catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toBe('the kwok data plane is not serving in this process: the ingress gateway has no proxy');
    expect(err.hint).toMatch(/meshproof run --target kwok/);
  });

  it('up without its binaries (and building turned off) names what is missing and how to build it', async () => {
    const t = new KwokTarget({ cacheDir: await mkdtemp(join(tmpdir(), 'kwok-t-')), build: false });
    const err = await t.up({ namespace: 'default', base: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/^the kwok target's binaries are not built: kube-apiserver, .*pilot-discovery, xds-descriptors, xds-descriptors\.binpb, gateway-api\/v1\.6\.0\/gateway\.networking\.k8s\.io_gatewayclasses\.yaml, /);
    expect(err.hint).toMatch(/npm run controlplane:build/);
  });

  it('down with nothing running stops nothing and does not fail', async () => {
    const t = new KwokTarget({ cacheDir: await mkdtemp(join(tmpdir(), 'kwok-t-')) });
    await t.down();
    expect(t.downSummary).toEqual([]);
  });
});
