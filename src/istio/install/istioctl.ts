/**
 * istioctl command lines, run through the CommandRunner with every argument a separate value.
 * Each `…Args` function returns the exact argument list, so tests check the flags themselves.
 */
import { checked, type CommandRunner, type RunResult, zxRunner } from '../../core/process.js';
import { EnvironmentError } from '../../core/errors.js';

export interface IstioctlOptions {
  /** Path of the istioctl binary (see ensureIstioctl). */
  binary: string;
  kubeconfig?: string;
  context?: string;
  runner?: CommandRunner;
}

/** `istioctl analyze` exits 79 when it found issues: that is an answer, not a failure. */
export const ANALYZE_ISSUES_FOUND = 79;

export class Istioctl {
  readonly runner: CommandRunner;
  constructor(readonly opts: IstioctlOptions) {
    this.runner = opts.runner ?? zxRunner;
  }

  /** Flags that point istioctl at the cluster; never the user's default kubeconfig by accident. */
  clusterArgs(): string[] {
    return [
      ...(this.opts.kubeconfig ? ['--kubeconfig', this.opts.kubeconfig] : []),
      ...(this.opts.context ? ['--context', this.opts.context] : []),
    ];
  }

  installArgs(overlayFile: string, readinessTimeout = '5m'): string[] {
    return ['install', '-y', '-f', overlayFile, '--readiness-timeout', readinessTimeout, ...this.clusterArgs()];
  }

  precheckArgs(): string[] {
    return ['x', 'precheck', ...this.clusterArgs()];
  }

  proxyRoutesArgs(pod: string, namespace: string): string[] {
    return ['proxy-config', 'routes', `${pod}.${namespace}`, '-o', 'json', ...this.clusterArgs()];
  }

  analyzeArgs(namespace?: string): string[] {
    return ['analyze', ...(namespace ? ['-n', namespace] : ['-A']), '-o', 'json', ...this.clusterArgs()];
  }

  proxyStatusArgs(): string[] {
    return ['proxy-status', ...this.clusterArgs()];
  }

  versionArgs(): string[] {
    return ['version', '--remote=false', '-o', 'json'];
  }

  async install(overlayFile: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    await checked(this.runner, this.opts.binary, this.installArgs(overlayFile), {
      timeoutMs: opts.timeoutMs ?? 10 * 60_000,
      signal: opts.signal,
      hint: 'see `istioctl analyze` and the istio-system events in the diagnostics folder',
    });
  }

  async precheck(opts: { signal?: AbortSignal } = {}): Promise<RunResult> {
    return this.runner.run(this.opts.binary, this.precheckArgs(), {
      timeoutMs: 120_000,
      signal: opts.signal,
    });
  }

  /** The proxy's routes as `proxy-config routes -o json` prints them (an array of RouteConfiguration). */
  async proxyRoutes(pod: string, namespace: string): Promise<unknown[]> {
    const out = await checked(this.runner, this.opts.binary, this.proxyRoutesArgs(pod, namespace), {
      timeoutMs: 30_000,
    });
    try {
      const parsed = JSON.parse(out) as unknown;
      if (!Array.isArray(parsed)) throw new Error('not a JSON array');
      return parsed;
    } catch (err) {
      throw new EnvironmentError(
        `istioctl proxy-config routes ${pod}.${namespace} printed no route list: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Runs analyze; exit 0 and 79 both carry a JSON list of messages in stdout. */
  async analyze(namespace?: string): Promise<RunResult> {
    return this.runner.run(this.opts.binary, this.analyzeArgs(namespace), { timeoutMs: 60_000 });
  }

  async proxyStatus(): Promise<RunResult> {
    return this.runner.run(this.opts.binary, this.proxyStatusArgs(), { timeoutMs: 60_000 });
  }
}
