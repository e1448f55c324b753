/** KWOK's CRD for PortForward objects, copied next to the binaries by the build: applied before any pod is served. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { poll } from '../../../core/wait.js';
import type { KubeClient } from '../../../kube/client.js';
import { parseManifests } from '../../../kube/manifest.js';
import { binDir, KWOK_CRDS_FILE } from './binaries.js';

/** Applies KWOK's CRDs (copied at build time) and waits until the API serves them. */
export async function applyKwokCrds(kube: KubeClient, cacheDir: string, signal?: AbortSignal): Promise<void> {
  const file = join(binDir(cacheDir), KWOK_CRDS_FILE);
  const crds = parseManifests(await readFile(file, 'utf8'), file);
  await kube.applyAll(crds);
  await poll({
    what: `KWOK's CRDs (${crds.map((c) => c.object.metadata.name).join(', ')}) to be established`,
    intervalMs: 200,
    timeoutMs: 30_000,
    signal,
    check: async () => {
      const waiting: string[] = [];
      for (const c of crds) {
        const got = await kube.get({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          name: c.object.metadata.name,
        });
        const established = (
          (got?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
        ).some((x) => x.type === 'Established' && x.status === 'True');
        if (!established) waiting.push(c.object.metadata.name);
      }
      return waiting.length
        ? { done: false, observed: `not established: ${waiting.join(', ')}` }
        : { done: true, value: undefined };
    },
  });
}
