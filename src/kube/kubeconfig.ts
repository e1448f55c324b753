/**
 * Loading a kubeconfig. meshproof reads a kubeconfig from a path it is given (kind clusters get one
 * in the project's cache folder) and never writes the user's ~/.kube/config.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { EnvironmentError } from '../core/errors.js';

export interface KubeConfigOptions {
  /** Path of a kubeconfig file; default: $KUBECONFIG or ~/.kube/config (read only). */
  kubeconfig?: string;
  /** Context to use; default: the file's current context. */
  context?: string;
}

export function loadKubeConfig(opts: KubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) {
      if (!existsSync(opts.kubeconfig)) throw new Error(`no such file`);
      kc.loadFromFile(opts.kubeconfig);
    } else {
      kc.loadFromDefault();
    }
  } catch (err) {
    throw new EnvironmentError(`cannot load kubeconfig ${opts.kubeconfig ?? '(default)'}: ${(err as Error).message}`, {
      cause: err,
      hint: 'pass --kubeconfig PATH (and --context NAME), or run `meshproof up --target kind` first',
    });
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new EnvironmentError(`kubeconfig has no context "${opts.context}" (known: ${known.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new EnvironmentError(`kubeconfig ${opts.kubeconfig ?? '(default)'} has no current cluster`, {
      hint: 'pass --context NAME to pick one',
    });
  }
  return kc;
}

/** A kubeconfig for an API server at `server` without authentication (tests, local proxies). */
export function kubeConfigFor(server: string, namespace = 'default'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u', namespace }],
    currentContext: 'ctx',
  });
  return kc;
}
