import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { buildKey, gatewayApiFiles, staleBinaries, stampPath, toolModules } from './binaries.js';
import { defaultBinaryName, parseGoVersion } from './build.js';

const [k8s, istio] = toolModules();
const gomod = (m: { dir: string }) => readFileSync(join(m.dir, 'go.mod'), 'utf8');

describe('the Go wrapper modules pin what versions.ts says', () => {
  it('k8s: kubernetes, etcd and kwok at the CONTROL_PLANE versions, each staging module replaced by one patch', () => {
    const text = gomod(k8s!);
    expect(text).toMatch(new RegExp(`\\bk8s.io/kubernetes ${CONTROL_PLANE.kubernetes.replace(/\./g, '\\.')}\\b`));
    expect(text).toMatch(new RegExp(`go.etcd.io/etcd/server/v3 ${CONTROL_PLANE.etcd}\\b`));
    expect(text).toMatch(new RegExp(`sigs.k8s.io/kwok ${CONTROL_PLANE.kwok}\\b`));
    const staging = CONTROL_PLANE.kubernetes.replace(/^v1\./, 'v0.');
    const replaces = [...text.matchAll(/^replace (\S+) => (\S+) (\S+)$/gm)];
    expect(replaces.length).toBeGreaterThanOrEqual(29);
    for (const [, from, to, version] of replaces) expect([from, version]).toEqual([to, staging]);
    for (const b of k8s!.binaries) expect(text).toContain(`\t${b.pkg}\n`);
  });

  it("istio: the pinned pseudo-version, both tools, and the module's own helper", () => {
    const text = gomod(istio!);
    expect(text).toContain(`istio.io/istio ${CONTROL_PLANE.istioModule}`);
    for (const b of istio!.binaries.filter((x) => x.pkg.startsWith('istio.io/')))
      expect(text).toContain(`\t${b.pkg}\n`);
    const own = istio!.binaries.filter((x) => !x.pkg.startsWith('istio.io/'));
    expect(own.map((b) => b.pkg)).toEqual(['meshproof.invalid/controlplane/istio/xds-descriptors']);
    expect(readFileSync(join(istio!.dir, 'xds-descriptors', 'main.go'), 'utf8')).toContain('package main');
  });

  it('version strings go in by ldflags', () => {
    expect(k8s!.ldflags).toContain(`-X k8s.io/component-base/version.gitVersion=${CONTROL_PLANE.kubernetes}`);
    expect(istio!.ldflags).toContain(`-X istio.io/istio/pkg/version.buildVersion=${CONTROL_PLANE.istio}`);
  });
});

describe('stamps', () => {
  it('a module is stale without a stamp, with another build key, or with a binary or file missing', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'mp-stamp-'));
    const crds = gatewayApiFiles();
    const all = ['istioctl', 'pilot-discovery', 'pilot-agent', 'xds-descriptors', 'xds-descriptors.binpb', ...crds];
    expect(crds.length).toBeGreaterThan(5);
    expect(staleBinaries(cache, istio!)).toEqual(all);
    await mkdir(join(cache, 'bin', dirname(crds[0]!)), { recursive: true });
    await writeFile(stampPath(cache, istio!), JSON.stringify({ key: 'other' }));
    expect(staleBinaries(cache, istio!)).toHaveLength(all.length);
    await writeFile(stampPath(cache, istio!), JSON.stringify({ key: buildKey(istio!) }));
    expect(staleBinaries(cache, istio!)).toEqual(all);
    for (const f of all.slice(0, 4)) await writeFile(join(cache, 'bin', f), '');
    expect(staleBinaries(cache, istio!)).toEqual(['xds-descriptors.binpb', ...crds]);
    for (const f of all.slice(4)) await writeFile(join(cache, 'bin', f), '');
    expect(staleBinaries(cache, istio!)).toEqual([]);
  });

  it("the build key changes with the module's own Go sources", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mp-mod-'));
    for (const f of ['go.mod', 'go.sum']) await writeFile(join(dir, f), f);
    await mkdir(join(dir, 'helper'));
    await writeFile(join(dir, 'helper', 'main.go'), 'package main\n');
    const m = { ...istio!, dir };
    const before = buildKey(m);
    await writeFile(join(dir, 'helper', 'main.go'), 'package main\n\nfunc main() {}\n');
    expect(buildKey(m)).not.toBe(before);
  });

  it('names binaries as go build -o DIR/ does, and reads go versions', () => {
    expect(defaultBinaryName('go.etcd.io/etcd/server/v3')).toBe('server');
    expect(defaultBinaryName('k8s.io/kubernetes/cmd/kubectl')).toBe('kubectl');
    expect(parseGoVersion('go1.26.8')).toEqual([1, 26]);
    expect(parseGoVersion('nothing')).toBeNull();
  });
});
