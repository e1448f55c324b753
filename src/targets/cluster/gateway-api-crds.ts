/**
 * The Gateway API's standard-channel CRDs applied to a cluster target and waited for: the files are
 * the pinned, digest-checked ones of src/istio/install/gateway-api-crds.ts (downloaded on kind, copied out
 * of the Go module at build time on kwok).
 */
import { poll } from '../../core/wait.js';
import { ensureGatewayApiCrds, type CrdVersions } from '../../istio/install/gateway-api-crds.js';
import type { KubeClient } from '../../kube/client.js';

export interface ApplyCrdsOptions {
  kube: KubeClient;
  versions: CrdVersions;
  /** Holds `gateway-api/<version>/<file>`. */
  cacheDir: string;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

/** Applies them and waits until the HTTPRoute CRD is established; returns how many were applied. */
export async function applyGatewayApiCrds(o: ApplyCrdsOptions): Promise<number> {
  const signal = o.signal ? { signal: o.signal } : {};
  const crds = await ensureGatewayApiCrds({
    versions: o.versions,
    cacheDir: o.cacheDir,
    onProgress: o.onProgress,
    ...signal,
  });
  await o.kube.applyAll(crds, signal);
  await poll({
    what: 'the HTTPRoute CRD to be established',
    intervalMs: 500,
    timeoutMs: 60_000,
    ...signal,
    check: async () => {
      const crd = await o.kube.get({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'httproutes.gateway.networking.k8s.io',
      });
      const ok = (
        (crd?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
      ).some((c) => c.type === 'Established' && c.status === 'True');
      return ok ? { done: true, value: undefined } : { done: false, observed: crd ? 'not established yet' : 'absent' };
    },
  });
  return crds.length;
}
