/**
 * Being connected to one cluster: its kubeconfig, an API client on it, istioctl pointed at the
 * same cluster, and the namespace meshproof works in there. A target builds it once, with
 * connectCluster, when its `up` has a kubeconfig to use (in a later process, reconnect builds it
 * for the diagnostics bundle), and hands it to the functions the cluster targets share. It never
 * changes: connecting again means building a new one.
 */
import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { EnvironmentError } from '../../core/errors.js';
import type { CommandRunner } from '../../core/process.js';
import { Istioctl } from '../../istio/install/istioctl.js';
import { KubeClient } from '../../kube/client.js';
import { loadKubeConfig } from '../../kube/kubeconfig.js';

export interface ClusterConnection {
  readonly kubeConfig: KubeConfig;
  readonly kube: KubeClient;
  /** istioctl with the same kubeconfig and context; null where none is usable (proxies are then not read). */
  readonly istioctl: Istioctl | null;
  /** Where `up` deploys Bookinfo, where objects without a namespace go, and what diagnostics collect. */
  readonly namespace: string;
}

export interface ConnectSpec {
  /** kubeconfig file; default $KUBECONFIG or ~/.kube/config (read only). */
  kubeconfig?: string;
  /** Context in it; default its current context. */
  context?: string;
  /** Default `default`. */
  namespace?: string;
  /** The istioctl binary (a path, or a name on PATH); null when none is usable. */
  istioctl: string | null;
  /** Where istioctl runs; tests fake it. */
  runner: CommandRunner;
}

/** Loads the kubeconfig (its errors say which file and context) and builds everything that uses it. */
export function connectCluster(spec: ConnectSpec): ClusterConnection {
  const { kubeconfig, context, runner } = spec;
  const kubeConfig = loadKubeConfig({ kubeconfig, context });
  return Object.freeze({
    kubeConfig,
    kube: new KubeClient(kubeConfig),
    istioctl: spec.istioctl === null ? null : new Istioctl({ binary: spec.istioctl, kubeconfig, context, runner }),
    namespace: spec.namespace ?? 'default',
  });
}

/**
 * How the diagnostics bundle gets in when this process did not run `up` (a failed run's report):
 * through the kubeconfig `up` left on disk. null when there is none or it does not load; the
 * bundle then holds what the target alone can give.
 */
export function reconnect(spec: ConnectSpec & { kubeconfig: string }): ClusterConnection | null {
  if (!existsSync(spec.kubeconfig)) return null;
  try {
    return connectCluster(spec);
  } catch {
    return null;
  }
}

/** The connection `up` made; before `up`, the error notConnectedError says. */
export function connected(connection: ClusterConnection | null, target: string): ClusterConnection {
  if (!connection) throw notConnectedError(target);
  return connection;
}

export function notConnectedError(target: string): EnvironmentError {
  return new EnvironmentError(`the ${target} target is not connected to a cluster yet`, {
    hint: 'run `meshproof up` first',
  });
}
