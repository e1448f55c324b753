/**
 * Choosing a target from the flags. `auto` picks kind when a Docker daemon and kind are usable and
 * the local rehearsal mesh otherwise, saying which and why in one line.
 */
import type { Target } from './target.js';

// Implementations are imported on demand: the cluster targets pull in the Kubernetes client,
// which a local run never needs.

export interface TargetRequest {
  choice: 'auto' | 'local' | 'kind' | 'existing' | 'kwok';
  seed?: number;
  kubeconfig?: string;
  context?: string;
  ingressUrl?: string;
  clusterName?: string;
  hostPort?: number;
  /** Local target: a fixed loopback port for the ingress (for --keep). */
  ingressPort?: number;
  reuse?: boolean;
  deployBookinfo?: boolean;
  preloadImages?: boolean;
  /** kind: `down` also deletes downloads and image archives. */
  purgeCache?: boolean;
  /** kwok: the run ends by stopping a control plane it started (a run without --keep). */
  stopAtEnd?: boolean;
}

export async function createTarget(req: TargetRequest, io: { stderr: NodeJS.WritableStream }): Promise<Target> {
  const choice = req.choice === 'auto' ? await autoChoice(io) : req.choice;
  switch (choice) {
    case 'local': {
      const { LocalTarget } = await import('./local/local-target.js');
      return new LocalTarget({ seed: req.seed, ingressPort: req.ingressPort || undefined });
    }
    case 'kind': {
      const { KindTarget } = await import('./kind/kind-target.js');
      return new KindTarget({
        clusterName: req.clusterName || undefined,
        hostPort: req.hostPort || undefined,
        reuse: req.reuse ?? false,
        preloadImages: req.preloadImages ?? false,
        deleteCacheOnDown: req.purgeCache ?? false,
      });
    }
    case 'kwok': {
      const { KwokTarget } = await import('./kwok/index.js');
      return new KwokTarget({
        seed: req.seed,
        stopOnClose: req.stopAtEnd ?? false,
        reuse: req.reuse ?? false,
        notify: (line) => io.stderr.write(`${line}\n`),
      });
    }
    case 'existing': {
      const { ExistingTarget } = await import('./existing/index.js');
      return new ExistingTarget({
        kubeconfig: req.kubeconfig || undefined,
        context: req.context || undefined,
        ingressUrl: req.ingressUrl || undefined,
        deployBookinfo: req.deployBookinfo ?? false,
      });
    }
  }
}

async function autoChoice(io: { stderr: NodeJS.WritableStream }): Promise<'kind' | 'local'> {
  const [{ dockerState }, { kindUsable }] = await Promise.all([
    import('./kind/docker.js'),
    import('./kind/preflight.js'),
  ]);
  const [docker, kind] = await Promise.all([dockerState(), kindUsable()]);
  if (docker.ok && kind) {
    io.stderr.write('target: kind (Docker daemon and kind are usable)\n');
    return 'kind';
  }
  const why = !docker.ok
    ? 'Docker is not usable (' +
      (docker.reason === 'no-client'
        ? 'no docker client'
        : docker.reason === 'timeout'
          ? 'the daemon did not answer'
          : 'no daemon reachable') +
      ')'
    : 'kind is not installed';
  io.stderr.write(`target: local rehearsal mesh, not Istio — ${why}; use --target kind once it is\n`);
  return 'local';
}
