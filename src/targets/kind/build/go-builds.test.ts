import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { toolModules } from '../../kwok/control-plane/binaries.js';
import { goBuildArgs, k8sVersionLdflags, niced } from './go.js';
import {
  ADDED_TOOLS,
  builtName,
  changedRequirements,
  goGetToolArgs,
  K8S_NODE_BINARIES,
  K8S_WRAPPER_DIR,
  k8sBuildArgs,
  k8sInputs,
} from './k8s-binaries.js';
import { kindInstallArgs } from './kind-cli.js';
import { CAPFILTER, NODE_TOOLS, NODE_TOOLS_DIR, sourcesOf, toolsBuildArgs } from './node-tools.js';
import { NODE_PINS } from './pins.js';
import { contentKey } from './cache.js';

describe('the Kubernetes build shares Go build cache entries with the kwok build', () => {
  const kwokK8s = toolModules().find((m) => m.id === 'k8s')!;

  // The environment is one function both builds call (core/go-env.ts).
  it('same -trimpath build, the same Kubernetes version ldflags', () => {
    expect(kwokK8s.ldflags.filter((f) => !f.includes('kwok'))).toEqual(k8sVersionLdflags());
    expect(kwokK8s.dir).toBe(K8S_WRAPPER_DIR);
  });

  it('builds every control-plane binary the kwok build does except kwok, plus the node tools, in one go build', () => {
    const kwokPkgs = kwokK8s.binaries.map((b) => b.pkg).filter((p) => !p.includes('kwok'));
    expect(K8S_NODE_BINARIES.map((b) => b.pkg)).toEqual(expect.arrayContaining(kwokPkgs));
    expect(K8S_NODE_BINARIES.map((b) => b.pkg)).toEqual(expect.arrayContaining([...ADDED_TOOLS]));
    const args = k8sBuildArgs('/out');
    expect(args.slice(0, 3)).toEqual(['build', '-trimpath', '-ldflags']);
    expect(args[3]).toBe(['-s', '-w', ...k8sVersionLdflags()].join(' '));
    expect(args.slice(4, 6)).toEqual(['-o', '/out/']);
    expect(args.slice(6)).toEqual(K8S_NODE_BINARIES.map((b) => b.pkg));
  });

  it('adds kubelet, kubeadm and kube-proxy as tools at the pinned Kubernetes version', () => {
    expect(goGetToolArgs()).toEqual([
      'get',
      '-tool',
      ...['kubelet', 'kubeadm', 'kube-proxy'].map((c) => `k8s.io/kubernetes/cmd/${c}@${CONTROL_PLANE.kubernetes}`),
    ]);
  });

  it('names binaries as go build -o DIR/ does', () => {
    expect(builtName('go.etcd.io/etcd/server/v3')).toBe('server');
    expect(builtName('k8s.io/kubernetes/cmd/kubelet')).toBe('kubelet');
    expect(builtName('./cni-daemon')).toBe('cni-daemon');
  });

  it('keys the build on the wrapper go.mod and go.sum', () => {
    const inputs = k8sInputs('go1.26.8');
    expect(inputs.map(([n]) => n)).toEqual(
      expect.arrayContaining(['tools/controlplane/k8s/go.mod', 'tools/controlplane/k8s/go.sum', 'go', 'go build']),
    );
    expect(contentKey(k8sInputs('go1.26.9'))).not.toBe(contentKey(inputs));
  });

  it('reports requirement versions that moved between two go.mod texts', () => {
    const before =
      'require (\n\tgithub.com/a/b v1.0.0 // indirect\n\tk8s.io/api v0.36.3\n)\n' +
      'replace k8s.io/api => k8s.io/api v0.36.3\n';
    const after =
      'require (\n\tgithub.com/a/b v1.1.0 // indirect\n\tk8s.io/api v0.36.3\n\tgithub.com/new/one v0.1.0\n)\n';
    expect(changedRequirements(before, after)).toEqual(['github.com/a/b v1.0.0→v1.1.0']);
  });

  it('runs go under nice', () => {
    expect(niced(['build', 'x'])).toEqual(['nice', ['-n', '10', 'go', 'build', 'x']]);
    expect(goBuildArgs('/o', ['./a'])).toEqual(['build', '-trimpath', '-ldflags', '-s -w', '-o', '/o/', './a']);
  });
});

describe('tools/kind-node', () => {
  const gomod = readFileSync(join(NODE_TOOLS_DIR, 'go.mod'), 'utf8');
  const k8sGomod = readFileSync(join(K8S_WRAPPER_DIR, 'go.mod'), 'utf8');

  it('pins the CoreDNS and crictl versions pins.ts names', () => {
    expect(gomod).toMatch(new RegExp(`github.com/coredns/coredns ${NODE_PINS.coredns.replace(/\./g, '\\.')}\\b`));
    expect(gomod).toMatch(new RegExp(`sigs.k8s.io/cri-tools ${NODE_PINS.crictl.replace(/\./g, '\\.')}\\b`));
    expect(gomod).toContain('tool sigs.k8s.io/cri-tools/cmd/crictl');
  });

  it("uses the Kubernetes libraries at the wrapper module's versions, so they compile once", () => {
    const staging = CONTROL_PLANE.kubernetes.replace(/^v1\./, 'v0.');
    const k8sLibs = [
      ...gomod.matchAll(
        new RegExp(
          String.raw`^\s*(k8s\.io\/(?:api|apimachinery|client-go|cri-api|cri-client|` +
            String.raw`kubelet|kubectl|component-base|streaming)) (v\S+)`,
          'gm',
        ),
      ),
    ];
    expect(k8sLibs.length).toBeGreaterThanOrEqual(3);
    for (const [, mod, v] of k8sLibs) {
      expect([mod, v]).toEqual([mod, staging]);
      expect(k8sGomod).toContain(`replace ${mod} => ${mod} ${staging}`);
    }
  });

  it('keys each tool set on its own sources only, tests excluded', () => {
    expect(sourcesOf(NODE_TOOLS)).toEqual(['cni-daemon/main.go', 'coredns/main.go']);
    expect(sourcesOf(CAPFILTER)).toEqual(['runc-capfilter/main.go']);
    expect(toolsBuildArgs(NODE_TOOLS, '/o').slice(-3)).toEqual([
      './cni-daemon',
      './coredns',
      'sigs.k8s.io/cri-tools/cmd/crictl',
    ]);
    expect(toolsBuildArgs(NODE_TOOLS, '/o')[3]).toContain(
      `-X sigs.k8s.io/cri-tools/pkg/version.Version=${NODE_PINS.crictl.slice(1)}`,
    );
  });

  it("ships the pod network manifest with kind's template markers and the image the build makes", () => {
    const cni = readFileSync(join(NODE_TOOLS_DIR, 'manifests', 'default-cni.yaml'), 'utf8');
    expect(cni).toContain('# would you kindly template this file');
    expect(cni).toContain('# would you kindly patch this file');
    expect(cni).toContain('value: "{{ .PodSubnet }}"');
    const images = [...cni.matchAll(/^\s*image: (\S+)$/gm)].map((m) => m[1]);
    expect(images).toEqual(['meshproof.local/cni-daemon:v1']);
  });
});

describe('the kind CLI', () => {
  it('is installed from its module at the pinned version', () => {
    expect(kindInstallArgs(NODE_PINS.kind)).toEqual([
      'install',
      '-trimpath',
      '-ldflags',
      '-s -w',
      'sigs.k8s.io/kind@v0.33.0',
    ]);
  });
});
