/**
 * kind command lines. Every cluster command names the cluster and, where kind would otherwise
 * touch ~/.kube/config, passes meshproof's own kubeconfig file instead.
 */
import { checked, type CommandRunner, zxRunner } from '../../core/process.js';

export class KindCli {
  constructor(
    readonly runner: CommandRunner = zxRunner,
    readonly binary = 'kind',
  ) {}

  createArgs(name: string, configFile: string, kubeconfig: string, wait = '180s'): string[] {
    return ['create', 'cluster', '--name', name, '--config', configFile, '--kubeconfig', kubeconfig, '--wait', wait];
  }
  deleteArgs(name: string, kubeconfig: string): string[] {
    return ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfig];
  }
  getClustersArgs(): string[] {
    return ['get', 'clusters'];
  }
  getKubeconfigArgs(name: string): string[] {
    return ['get', 'kubeconfig', '--name', name];
  }
  exportLogsArgs(name: string, dir: string): string[] {
    return ['export', 'logs', dir, '--name', name];
  }
  loadImageArchiveArgs(name: string, archive: string): string[] {
    return ['load', 'image-archive', archive, '--name', name];
  }

  async version(timeoutMs = 3000): Promise<string | null> {
    const r = await this.runner.run(this.binary, ['version'], { timeoutMs });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  async clusters(): Promise<string[]> {
    const out = await checked(this.runner, this.binary, this.getClustersArgs(), { timeoutMs: 15_000 });
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^No kind clusters found/i.test(l));
  }

  async kubeconfig(name: string): Promise<string> {
    return checked(this.runner, this.binary, this.getKubeconfigArgs(name), { timeoutMs: 15_000 });
  }
}

/** `kind v0.33.0 go1.26.7 linux/amd64` → `v0.33.0`. */
export function parseKindVersion(text: string): string | null {
  return /\bv\d+\.\d+\.\d+(?:-[\w.]+)?/.exec(text)?.[0] ?? null;
}
