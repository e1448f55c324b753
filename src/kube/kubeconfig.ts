/**
 * Loading a kubeconfig. meshproof reads a kubeconfig from a path it is given (kind clusters get one
 * in the project's cache folder) and never writes the user's ~/.kube/config.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
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
      defaultKubeconfigFound();
      kc.loadFromDefault();
    }
  } catch (err) {
    if (err instanceof EnvironmentError) throw err;
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

/**
 * Without one, the client library quietly falls back to http://localhost:8080 and then fails with
 * a TLS complaint that names neither the cause nor the fix: say that no kubeconfig was found, and
 * where meshproof looked. Inside a pod the service account counts as found.
 */
function defaultKubeconfigFound(): void {
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const candidates = fromEnv.length ? fromEnv : [join(homedir(), '.kube', 'config')];
  if (candidates.some((f) => existsSync(f))) return;
  if (process.env.KUBERNETES_SERVICE_HOST && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) return;
  const where = fromEnv.length
    ? `$KUBECONFIG (${fromEnv.join(delimiter)})`
    : `${candidates[0]} ($KUBECONFIG is not set)`;
  throw new EnvironmentError(`no kubeconfig found: looked at ${where}`, {
    hint: 'pass --kubeconfig PATH (and --context NAME) for the cluster to use',
  });
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
