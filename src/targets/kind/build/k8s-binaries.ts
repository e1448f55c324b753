/**
 * Kubernetes for the node image: kubelet, kubeadm, kube-proxy, kubectl and the control plane
 * (kube-apiserver, -controller-manager, -scheduler, etcd), in one `go build` of a scratch copy of the
 * kwok target's wrapper module (tools/controlplane/k8s) with kubelet, kubeadm and kube-proxy added
 * as tools. Adding them adds modules only and changes no version, and the flags are the kwok
 * build's, so every package the two builds share comes out of Go's build cache.
 */
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../../core/paths.js';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { fileInputs, type KeyInput, type Produced } from './cache.js';
import { run, type BuildContext } from './context.js';
import { goBuildArgs, goEnv, goModEnv, k8sVersionLdflags, niced } from './go.js';

export const K8S_WRAPPER_DIR = join(projectRoot, 'tools', 'controlplane', 'k8s');

export interface GoBinary {
  name: string;
  pkg: string;
}

export const K8S_NODE_BINARIES: readonly GoBinary[] = [
  { name: 'kubelet', pkg: 'k8s.io/kubernetes/cmd/kubelet' },
  { name: 'kubeadm', pkg: 'k8s.io/kubernetes/cmd/kubeadm' },
  { name: 'kube-proxy', pkg: 'k8s.io/kubernetes/cmd/kube-proxy' },
  { name: 'kubectl', pkg: 'k8s.io/kubernetes/cmd/kubectl' },
  { name: 'kube-apiserver', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver' },
  { name: 'kube-controller-manager', pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager' },
  { name: 'kube-scheduler', pkg: 'k8s.io/kubernetes/cmd/kube-scheduler' },
  // etcd's version is a constant of its own module; `go build -o DIR/` names it `server`.
  { name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3' },
];

/** The tools the wrapper module does not have yet: the node-side commands. */
export const ADDED_TOOLS: readonly string[] = ['kubelet', 'kubeadm', 'kube-proxy'].map(
  (c) => `k8s.io/kubernetes/cmd/${c}`,
);

/** The name `go build -o DIR/` gives a main package: its last path element, skipping a `vN` suffix. */
export function builtName(pkg: string): string {
  const parts = pkg.split('/');
  const last = parts.at(-1)!;
  return /^v\d+$/.test(last) && parts.length > 1 ? parts.at(-2)! : last;
}

export function goGetToolArgs(version = CONTROL_PLANE.kubernetes): string[] {
  return ['get', '-tool', ...ADDED_TOOLS.map((p) => `${p}@${version}`)];
}

export function k8sBuildArgs(outDir: string): string[] {
  return goBuildArgs(
    outDir,
    K8S_NODE_BINARIES.map((b) => b.pkg),
    k8sVersionLdflags(),
  );
}

export function k8sInputs(goVersion: string, wrapperDir = K8S_WRAPPER_DIR): KeyInput[] {
  return [
    ...fileInputs(wrapperDir, ['go.mod', 'go.sum'], 'tools/controlplane/k8s/'),
    ['kubernetes', CONTROL_PLANE.kubernetes],
    ['go', goVersion],
    ['env', JSON.stringify(goEnv())],
    ['go get', goGetToolArgs().join(' ')],
    ['go build', k8sBuildArgs('<out>').join(' ')],
  ];
}

export async function buildK8sBinaries(ctx: BuildContext, wrapperDir = K8S_WRAPPER_DIR): Promise<Produced> {
  return ctx.store.produce('k8s', k8sInputs(ctx.goVersion, wrapperDir), async (dir) => {
    const scratch = join(ctx.layout.work, 'k8s-module');
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    for (const f of ['go.mod', 'go.sum']) await copyFile(join(wrapperDir, f), join(scratch, f));
    ctx.say(`adding ${ADDED_TOOLS.join(', ')} to a scratch copy of ${wrapperDir}`);
    await run(ctx, 'go', goGetToolArgs(), { cwd: scratch, env: goModEnv(), timeoutMs: 20 * 60_000 });
    const before = await readFile(join(wrapperDir, 'go.mod'), 'utf8');
    const changed = changedRequirements(before, await readFile(join(scratch, 'go.mod'), 'utf8'));
    if (changed.length)
      ctx.say(
        'note: adding the node tools changed these module versions ' +
          `(their packages compile apart from the kwok build's): ${changed.join(', ')}`,
      );
    ctx.say(
      `building ${K8S_NODE_BINARIES.map((b) => b.name).join(', ')} with ${ctx.goVersion} ` +
        '(cold: 10+ minutes on 2 cores)',
    );
    const [cmd, args] = niced(k8sBuildArgs(dir));
    await run(ctx, cmd, args, {
      cwd: scratch,
      env: goEnv(),
      timeoutMs: 90 * 60_000,
      hint: `the scratch module is ${scratch}`,
    });
    for (const b of K8S_NODE_BINARIES) {
      if (builtName(b.pkg) !== b.name) await rename(join(dir, builtName(b.pkg)), join(dir, b.name));
    }
    // The module the binaries were built from, for the record.
    await mkdir(join(dir, 'module'));
    for (const f of ['go.mod', 'go.sum']) await copyFile(join(scratch, f), join(dir, 'module', f));
    await writeFile(
      join(dir, 'module', 'README'),
      `built from a copy of ${wrapperDir} plus: go ${goGetToolArgs().join(' ')}\n`,
    );
    await rm(scratch, { recursive: true, force: true });
  });
}

/** `module version` requirements present in both go.mod texts whose version differs (pure). */
export function changedRequirements(before: string, after: string): string[] {
  const reqs = (text: string) =>
    new Map(
      [...text.matchAll(/^\s*(?:require\s+)?([\w.\-~/]+\.[\w.\-~/]+) (v\S+)(?: \/\/ indirect)?$/gm)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
  const a = reqs(before);
  const b = reqs(after);
  return [...a].filter(([mod, v]) => b.has(mod) && b.get(mod) !== v).map(([mod, v]) => `${mod} ${v}→${b.get(mod)}`);
}
