/**
 * Where `npm run kind:build` keeps its files, all under the cache folder (`.cache/meshproof/`):
 *
 *   kind-build/
 *     <part>/<key>/          one folder per part and content key (cache.ts), e.g.
 *       kind-cli/…/kind        the kind CLI
 *       k8s/…/kubelet …        Kubernetes binaries and etcd
 *       node-tools/…/          cni-daemon, coredns, crictl
 *       capfilter/…/           runc-capfilter (dockerd's runtime wrapper, host side)
 *       pause/…/pause
 *       debs-node/…/           debootstrap tarball of the node's packages, the sid runtime .debs, a lock list
 *       debs-tools/…/          debootstrap tarball of the component images' base
 *       images/…/preload.tar   the component images, named as kubeadm asks for them
 *       node-image/…/node-image.tar
 *     work/                  scratch (root file systems, module copies), emptied after each build
 *     manifest.json          what the last build produced: node image, kind and kubectl paths
 *     timings.jsonl          one line per build: each part, built or cached, and how long it took
 *
 * (host/ beside kind-build/ holds the host state meshproof records: src/targets/kind/host/.)
 */
import { join, resolve } from 'node:path';

export interface KindBuildLayout {
  root: string;
  work: string;
  manifest: string;
  timings: string;
  lock: string;
}

export function kindBuildLayout(cacheDir: string): KindBuildLayout {
  const root = join(resolve(cacheDir), 'kind-build');
  return {
    root,
    work: join(root, 'work'),
    manifest: join(root, 'manifest.json'),
    timings: join(root, 'timings.jsonl'),
    lock: join(root, '.lock'),
  };
}
