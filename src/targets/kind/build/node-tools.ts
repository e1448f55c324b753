/**
 * The Go programs of tools/kind-node besides Kubernetes: cni-daemon (the pod network), a CoreDNS
 * linked with kubeadm's plugins, crictl, and the host-side runc-capfilter. One module whose shared
 * dependencies are raised to the Kubernetes build's versions (its regenerate.sh), built with the
 * same flags, so client-go and the rest compile once.
 */
import { join } from 'node:path';
import { projectRoot } from '../../../core/paths.js';
import { fileInputs, treeFiles, type KeyInput, type Produced } from './cache.js';
import { run, type BuildContext } from './context.js';
import { goBuildArgs, goEnv, niced } from './go.js';
import { NODE_PINS } from './pins.js';

export const NODE_TOOLS_DIR = join(projectRoot, 'tools', 'kind-node');

export interface ToolSet {
  /** The part's name in the store. */
  part: string;
  /** Binary name → package (a folder of the module, or a tool package). */
  binaries: Readonly<Record<string, string>>;
  ldflags: readonly string[];
}

/** What goes into the node image's component images (and crictl into the node). */
export const NODE_TOOLS: ToolSet = {
  part: 'node-tools',
  binaries: { 'cni-daemon': './cni-daemon', coredns: './coredns', crictl: 'sigs.k8s.io/cri-tools/cmd/crictl' },
  ldflags: [`-X sigs.k8s.io/cri-tools/pkg/version.Version=${NODE_PINS.crictl.replace(/^v/, '')}`],
};

/** Built first and on its own (seconds): dockerd may need it before anything else runs. */
export const CAPFILTER: ToolSet = {
  part: 'capfilter',
  binaries: { 'runc-capfilter': './runc-capfilter' },
  ldflags: [],
};

/** The module's Go sources that a tool set's binaries are built from (tests excluded), relative and sorted. */
export function sourcesOf(set: ToolSet, moduleDir = NODE_TOOLS_DIR): string[] {
  const own = Object.values(set.binaries)
    .filter((p) => p.startsWith('./'))
    .map((p) => p.slice(2));
  return treeFiles(
    moduleDir,
    (rel) => rel.endsWith('.go') && !rel.endsWith('_test.go') && own.some((d) => rel.startsWith(`${d}/`)),
  );
}

export function toolsBuildArgs(set: ToolSet, outDir: string): string[] {
  return goBuildArgs(outDir, Object.values(set.binaries), set.ldflags);
}

export function toolsInputs(set: ToolSet, goVersion: string, moduleDir = NODE_TOOLS_DIR): KeyInput[] {
  return [
    ...fileInputs(moduleDir, ['go.mod', 'go.sum', ...sourcesOf(set, moduleDir)], 'tools/kind-node/'),
    ['go', goVersion],
    ['env', JSON.stringify(goEnv())],
    ['go build', toolsBuildArgs(set, '<out>').join(' ')],
  ];
}

export async function buildTools(
  ctx: BuildContext,
  set: ToolSet,
  moduleDir = NODE_TOOLS_DIR,
): Promise<Produced & { binaries: Record<string, string> }> {
  const p = await ctx.store.produce(set.part, toolsInputs(set, ctx.goVersion, moduleDir), async (dir) => {
    ctx.say(`building ${Object.keys(set.binaries).join(', ')} from ${moduleDir}`);
    const [cmd, args] = niced(toolsBuildArgs(set, dir));
    await run(ctx, cmd, args, {
      cwd: moduleDir,
      env: goEnv(),
      timeoutMs: 60 * 60_000,
      hint: `the Go module is ${moduleDir}; its regenerate.sh remakes go.mod and go.sum`,
    });
  });
  return { ...p, binaries: Object.fromEntries(Object.keys(set.binaries).map((b) => [b, join(p.dir, b)])) };
}
