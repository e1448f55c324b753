/**
 * Whether a cluster still stands while a run uses it: the API server answers a read (which etcd
 * behind it must serve), and istiod has a Ready pod. Asked when a step does not pass and while a
 * step settles, so that a control plane that died mid-step is an environment failure (exit 3),
 * not a verification failure.
 */
import { withDeadline } from '../../core/wait.js';
import { isPodReady, podState } from '../../kube/pods.js';
import type { ClusterConnection } from './connection.js';

/** How long the API server gets to answer the health read. */
export const HEALTH_READ_MS = 5_000;

/** What is wrong, or null. A cluster whose istiod pods are not labelled app=istiod is not judged on istiod. */
export async function clusterHealth(
  cluster: ClusterConnection | null,
  timeoutMs = HEALTH_READ_MS,
): Promise<string | null> {
  if (!cluster) return null;
  let pods;
  try {
    pods = await withDeadline(
      cluster.kube.list('v1', 'Pod', undefined, { labelSelector: 'app=istiod' }),
      timeoutMs,
      'the API server',
    );
  } catch (err) {
    return `the API server does not answer: ${(err as Error).message.split('\n')[0]}`;
  }
  if (!pods.items.length || pods.items.some(isPodReady)) return null;
  const states = pods.items.map((p) => `${p.metadata.name} ${podState(p)}`).join(', ');
  return `istiod has no Ready pod (${states})`;
}
