/**
 * The diagnostics bundle of a cluster target: events, pods and container logs of the connection's
 * namespace and of istio-system, and what istioctl says (analyze, proxy-status, productpage's
 * routes) when it is usable, followed by the target's own parts. Without a connection (`up`
 * never got that far, and nothing was left to reconnect through) only the target's own parts.
 * An API server that does not answer a first read within a few seconds (gone, or etcd behind it
 * gone) gets no more questions: the bundle says so and holds the target's own parts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANALYZE_ISSUES_FOUND, type Istioctl } from '../../istio/install/istioctl.js';
import { formatEvents, listEvents } from '../../kube/events.js';
import { containerNames, listPods, podLog } from '../../kube/pods.js';
import { writeDiagnostics, type DiagnosticPart } from '../diagnostics.js';
import { withDeadline } from '../../core/wait.js';
import { ISTIO_NAMESPACE } from './cluster-target.js';
import type { ClusterConnection } from './connection.js';

/** Writes the bundle into `dir`; returns the files written. Never throws. */
export async function writeClusterDiagnostics(
  dir: string,
  cluster: ClusterConnection | null,
  own: (cluster: ClusterConnection | null) => DiagnosticPart[],
): Promise<string[]> {
  try {
    const answers = cluster ? await apiAnswers(cluster) : null;
    const parts = !cluster ? [] : answers === true ? clusterParts(cluster, dir) : [unanswered(answers as string)];
    return await writeDiagnostics(dir, [...parts, ...own(cluster)]);
  } catch {
    return [];
  }
}

/** How long the API server gets to answer the first read before the cluster's parts are given up. */
export const API_PROBE_MS = 5_000;

async function apiAnswers(cluster: ClusterConnection): Promise<true | string> {
  try {
    await withDeadline(cluster.kube.list('v1', 'Namespace'), API_PROBE_MS, 'the API server');
    return true;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
}

/** A part that records, in errors.txt, why the cluster's parts were not collected. */
function unanswered(why: string): DiagnosticPart {
  return {
    file: 'cluster',
    collect: () => Promise.reject(new Error(`events, pods, logs and istioctl not collected: ${why}`)),
  };
}

function clusterParts(cluster: ClusterConnection, dir: string): DiagnosticPart[] {
  const parts: DiagnosticPart[] = [];
  for (const ns of new Set([cluster.namespace, ISTIO_NAMESPACE])) {
    parts.push({ file: `events-${ns}.txt`, collect: async () => formatEvents(await listEvents(cluster.kube, ns)) });
    parts.push({
      file: `pods-${ns}.txt`,
      collect: async () =>
        (await listPods(cluster.kube, ns))
          .map((p) => `${p.name} ready=${p.ready} sidecar=${p.sidecar} ${p.state}`)
          .join('\n'),
    });
    parts.push({ file: `logs-${ns}`, collect: () => writeLogs(cluster, join(dir, `logs-${ns}`), ns) });
  }
  if (cluster.istioctl) parts.push(...istioctlParts(cluster, cluster.istioctl));
  return parts;
}

function istioctlParts(cluster: ClusterConnection, ic: Istioctl): DiagnosticPart[] {
  return [
    {
      file: 'istioctl-analyze.json',
      collect: async () => ranOutput(await ic.analyze(cluster.namespace), [0, ANALYZE_ISSUES_FOUND]),
    },
    { file: 'istioctl-proxy-status.txt', collect: async () => ranOutput(await ic.proxyStatus(), [0]) },
    {
      file: 'productpage-routes.json',
      collect: async () => {
        const pod = (await listPods(cluster.kube, cluster.namespace, 'app=productpage'))[0];
        if (!pod) throw new Error(`no productpage pod in ${cluster.namespace}`);
        return JSON.stringify(await ic.proxyRoutes(pod.name, pod.namespace), null, 2);
      },
    },
  ];
}

/** One file per container; a container that fails to give its log gets a file saying why. */
async function writeLogs(cluster: ClusterConnection, dir: string, namespace: string): Promise<null> {
  await mkdir(dir, { recursive: true });
  const { items } = await cluster.kube.list('v1', 'Pod', namespace);
  for (const pod of items) {
    for (const c of containerNames(pod)) {
      const file = join(dir, `${pod.metadata.name}_${c}.log`);
      const text = await podLog(cluster.kubeConfig, namespace, pod.metadata.name, c).catch(
        (err) => `(no log: ${(err as Error).message})`,
      );
      await writeFile(file, text);
    }
  }
  return null;
}

/** Output of a diagnostic command; an unexpected exit becomes an error naming it. */
function ranOutput(
  r: { exitCode: number | null; stdout: string; stderr: string; timedOut?: boolean },
  okCodes: number[],
): string {
  if (r.exitCode !== null && okCodes.includes(r.exitCode)) return r.stdout;
  throw new Error(
    `exit ${r.exitCode ?? (r.timedOut ? 'timeout' : 'signal')}: ` +
      `${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`,
  );
}
