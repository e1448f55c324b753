/**
 * The kind CLI, built from its Go module at the pinned version (`go install sigs.k8s.io/kind@…`,
 * checksum-verified by Go), and the module's folder, whose images/base/files the node image copies.
 */
import { join } from 'node:path';
import type { KeyInput, Produced } from './cache.js';
import { run, type BuildContext } from './context.js';
import { moduleDir, niced } from './go.js';
import { NODE_PINS } from './pins.js';

export const KIND_MODULE = 'sigs.k8s.io/kind';

export function kindInstallArgs(version: string): string[] {
  return ['install', '-trimpath', '-ldflags', '-s -w', `${KIND_MODULE}@${version}`];
}

/** `go install pkg@version` uses the module's own go.mod: no -mod flag, no workspace, static. */
export function kindInstallEnv(gobin: string): Record<string, string> {
  return { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOWORK: 'off', GOBIN: gobin };
}

export function kindCliInputs(goVersion: string, version = NODE_PINS.kind): KeyInput[] {
  return [
    ['kind', version],
    ['go', goVersion],
    ['args', kindInstallArgs(version).join(' ')],
    ['env', JSON.stringify(kindInstallEnv('<out>'))],
  ];
}

export async function buildKindCli(ctx: BuildContext): Promise<Produced & { binary: string }> {
  const p = await ctx.store.produce('kind-cli', kindCliInputs(ctx.goVersion), async (dir) => {
    const [cmd, args] = niced(kindInstallArgs(NODE_PINS.kind));
    await run(ctx, cmd, args, {
      cwd: ctx.layout.work,
      env: kindInstallEnv(dir),
      hint: `try: go install ${KIND_MODULE}@${NODE_PINS.kind}`,
    });
  });
  return { ...p, binary: join(p.dir, 'kind') };
}

/** The kind module's folder in Go's module cache (downloaded if missing). */
export function kindModuleDir(ctx: BuildContext, version = NODE_PINS.kind): Promise<string> {
  return moduleDir(ctx.runner, KIND_MODULE, version, ctx.layout.work);
}
