/**
 * Running `go` for the kind build, the way the kwok target's control-plane build does
 * (src/targets/kwok/control-plane/build.ts): static binaries (CGO_ENABLED=0), `-trimpath`, go.mod as committed,
 * no VCS stamping, under `nice` so the machine stays usable. The same flags mean the same entries
 * in Go's build cache, so the Kubernetes packages both builds share compile once.
 */
import { checked, type CommandRunner } from '../../../core/process.js';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { goEnv } from '../../../core/go-env.js';

export { goEnv };

/** Environment for `go get` and `go mod download`, which may change a scratch go.mod. */
export function goModEnv(): Record<string, string> {
  return { ...goEnv(), GOFLAGS: '-mod=mod -buildvcs=false' };
}

/** Kubernetes' version strings, as the kwok build sets them (its k8s ldflags, less kwok's own). */
export function k8sVersionLdflags(version = CONTROL_PLANE.kubernetes): string[] {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X k8s.io/client-go/pkg/version.gitVersion=${version}`,
  ];
}

/** `go build` arguments: stripped, trimmed, every main package into `outDir/` (named after its last path element). */
export function goBuildArgs(outDir: string, packages: readonly string[], ldflags: readonly string[] = []): string[] {
  return ['build', '-trimpath', '-ldflags', ['-s', '-w', ...ldflags].join(' '), '-o', `${outDir}/`, ...packages];
}

/** The command and arguments that run `go` under `nice -n 10`. */
export function niced(args: readonly string[]): [string, string[]] {
  return ['nice', ['-n', '10', 'go', ...args]];
}

export async function goVersion(runner: CommandRunner): Promise<string> {
  return (
    await checked(runner, 'go', ['env', 'GOVERSION'], {
      timeoutMs: 20_000,
      hint: 'the kind build needs Go ≥ 1.26 (https://go.dev/dl/)',
    })
  ).trim();
}

/** The folder of `module@version` in Go's module cache, downloading it (checksum-verified) if needed. */
export async function moduleDir(runner: CommandRunner, module: string, version: string, cwd: string): Promise<string> {
  const out = await checked(runner, 'go', ['mod', 'download', '-json', `${module}@${version}`], {
    cwd,
    env: goModEnv(),
    timeoutMs: 10 * 60_000,
  });
  return (JSON.parse(out) as { Dir: string }).Dir;
}
