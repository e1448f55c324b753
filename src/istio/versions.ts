/**
 * Every version the real-cluster path depends on, pinned in one place (README.md, The real cluster). Each can be
 * overridden by an environment variable (for CI mirrors and upgrades) or by an option.
 */

export interface Versions {
  /** kind release, e.g. `v0.33.0`. */
  kind: string;
  /** Node image by digest: kind v0.33.0 defaults to Kubernetes 1.37, beyond Istio 1.31's 1.32–1.36. */
  nodeImage: string;
  /** Istio release, e.g. `1.31.1`. */
  istio: string;
  /** Image hub for Istio: Docker Hub, since the GCP registries retire in December 2026. */
  istioHub: string;
  /** Registry prefix for Bookinfo images, e.g. `docker.io/istio`. */
  bookinfoHub: string;
  /** Bookinfo image tag. */
  bookinfoTag: string;
  /** Where kind binaries are published: `<base>/<version>/kind-<os>-<arch>`. */
  kindDownloadBase: string;
  /** Where istioctl archives are published: `<base>/<version>/istioctl-<version>-<arch>.tar.gz`. */
  istioDownloadBase: string;
  /** Gateway API release whose standard-channel CRDs a kind cluster gets: the one Istio 1.31 is built against (its go.mod). */
  gatewayApi: string;
  /**
   * Where the Gateway API's files are fetched from: `<base>/<version>/config/crd/standard/<file>`,
   * each checked against its sha256 in gateway-api-pins.ts.
   */
  gatewayApiDownloadBase: string;
}

export const PINNED: Readonly<Versions> = Object.freeze({
  kind: 'v0.33.0',
  nodeImage: 'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
  istio: '1.31.1',
  istioHub: 'docker.io/istio',
  bookinfoHub: 'docker.io/istio',
  bookinfoTag: '1.20.3',
  kindDownloadBase: 'https://kind.sigs.k8s.io/dl',
  istioDownloadBase: 'https://github.com/istio/istio/releases/download',
  gatewayApi: 'v1.6.0',
  gatewayApiDownloadBase: 'https://raw.githubusercontent.com/kubernetes-sigs/gateway-api',
});

/** The environment variable that overrides each version. */
export const VERSION_ENV: Readonly<Record<keyof Versions, string>> = Object.freeze({
  kind: 'MESHPROOF_KIND_VERSION',
  nodeImage: 'MESHPROOF_NODE_IMAGE',
  istio: 'MESHPROOF_ISTIO_VERSION',
  istioHub: 'MESHPROOF_ISTIO_HUB',
  bookinfoHub: 'MESHPROOF_BOOKINFO_HUB',
  bookinfoTag: 'MESHPROOF_BOOKINFO_TAG',
  kindDownloadBase: 'MESHPROOF_KIND_DOWNLOAD_BASE',
  istioDownloadBase: 'MESHPROOF_ISTIO_DOWNLOAD_BASE',
  gatewayApi: 'MESHPROOF_GATEWAY_API_VERSION',
  gatewayApiDownloadBase: 'MESHPROOF_GATEWAY_API_DOWNLOAD_BASE',
});

/** Pins, then environment overrides, then explicit options (highest precedence). Empty values are ignored. */
export function resolveVersions(overrides: Partial<Versions> = {}, env: NodeJS.ProcessEnv = process.env): Versions {
  const out = { ...PINNED };
  for (const key of Object.keys(PINNED) as (keyof Versions)[]) {
    const fromEnv = env[VERSION_ENV[key]]?.trim();
    if (fromEnv) out[key] = fromEnv;
    const fromOpt = overrides[key]?.trim();
    if (fromOpt) out[key] = fromOpt;
  }
  return out;
}

/** Bookinfo image for a service and version, e.g. `docker.io/istio/examples-bookinfo-reviews-v3:1.20.3`. */
export function bookinfoImage(v: Pick<Versions, 'bookinfoHub' | 'bookinfoTag'>, name: string): string {
  return `${v.bookinfoHub}/examples-bookinfo-${name}:${v.bookinfoTag}`;
}

/** The Istio images a kind cluster pulls for the demo profile (istiod and the proxy). */
export function istioImages(v: Pick<Versions, 'istioHub' | 'istio'>): string[] {
  return [`${v.istioHub}/pilot:${v.istio}`, `${v.istioHub}/proxyv2:${v.istio}`];
}
