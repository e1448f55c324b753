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
  /**
   * Gateway API release whose standard-channel CRDs a kind cluster gets: the one Istio 1.31 is built against (its
   * go.mod).
   */
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

/**
 * The control plane the kwok target runs, built from Go modules by `npm run controlplane:build`
 * (tools/controlplane/k8s and tools/controlplane/istio hold the go.mod files that pin these; a
 * test keeps the two in step).
 *
 * Istio: release tags (`1.31.1`) have no `v`, so the Go module proxy serves istio.io/istio only as
 * pseudo-versions. The one pinned is master of 2026-04-23, whose VERSION file says 1.31 (the
 * commit the 1.31 branch grew from, before 1.31.0-alpha.0): the closest served code to the pinned
 * 1.31.1. The binaries report `1.31-dev` as Istio's own master builds do, so no one mistakes them
 * for the 1.31.1 release the kind target downloads.
 */
export const CONTROL_PLANE = Object.freeze({
  /** k8s.io/kubernetes, same minor as the kind node image (1.36), inside Istio 1.31's 1.32–1.36. */
  kubernetes: 'v1.36.3',
  /** go.etcd.io/etcd/server/v3: the 3.6 line Kubernetes 1.36 is tested with. */
  etcd: 'v3.6.13',
  /**
   * sigs.k8s.io/kwok: v0.8.0 is built on the Kubernetes 0.36 libraries (one build cache with k8s); its stages come from
   * its own module.
   */
  kwok: 'v0.8.0',
  /** istio.io/istio pseudo-version: master on 2026-04-23, the 1.31 line. */
  istioModule: 'v0.0.0-20260423205519-b01690e6db7d',
  /** What istioctl and pilot-discovery report as their version. */
  istio: '1.31-dev',
});
