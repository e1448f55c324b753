/** Where the kind target keeps its files: kubeconfig, kind config, overlay, istioctl, image archives. */
import { resolve, join } from 'node:path';

export const DEFAULT_CACHE_DIR = '.cache/meshproof';

export interface KindPaths {
  cacheDir: string;
  /** meshproof's own kubeconfig for the cluster; the user's ~/.kube/config is never written. */
  kubeconfig: string;
  kindConfig: string;
  overlay: string;
}

export function kindPaths(cacheDir: string, cluster: string): KindPaths {
  const dir = resolve(cacheDir);
  return {
    cacheDir: dir,
    kubeconfig: join(dir, `kind-${cluster}.kubeconfig`),
    kindConfig: join(dir, `kind-${cluster}.yaml`),
    overlay: join(dir, `istio-operator-${cluster}.yaml`),
  };
}
