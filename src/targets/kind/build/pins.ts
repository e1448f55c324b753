/**
 * What meshproof's locally built kind node image is made of (issue 24, `npm run kind:build`): the
 * Debian suites and package lists, the Go module versions beside Kubernetes, and the image names.
 * Kubernetes and etcd come from CONTROL_PLANE (the kwok target's wrapper module), kind from PINNED.
 * Every value here is an input of the content keys (cache.ts): change one and what depends on it
 * is rebuilt.
 */
import { CONTROL_PLANE, PINNED } from '../../../istio/install/versions.js';

export const NODE_PINS = Object.freeze({
  kind: PINNED.kind,
  kubernetes: CONTROL_PLANE.kubernetes,
  /** sigs.k8s.io/cri-tools, the crictl kind v0.33.0's base image ships (tools/kind-node/go.mod pins it). */
  crictl: 'v1.36.0',
  /** github.com/coredns/coredns: kubeadm 1.36's CoreDNSVersion (tools/kind-node/go.mod pins it). */
  coredns: 'v1.14.2',
  debianMirror: 'http://deb.debian.org/debian',
  /**
   * The node's base. Trixie's systemd 257 is the last Debian systemd that runs as PID 1 on the
   * cgroup v1 hierarchy; sid's 262 no longer does.
   */
  suite: 'trixie',
  /**
   * Kubernetes 1.36 wants containerd 2.x; trixie has 1.7. These three come from sid, whose
   * versions' dependencies trixie's libc meets (containerd 2.1, runc 1.3, CNI plugins 1.9 when
   * first built). Their .debs are kept in the cache, so a moving sid does not change a build.
   */
  runtimeSuite: 'sid',
  runtimePackages: ['containerd', 'runc', 'containernetworking-plugins'] as readonly string[],
  /**
   * What kind's images/base/Dockerfile installs, less what a local cluster never uses (NFS, iSCSI, fuse-overlayfs,
   * e2fsprogs).
   */
  nodePackages: [
    'systemd',
    'conntrack',
    'iptables',
    'nftables',
    'iproute2',
    'ethtool',
    'util-linux',
    'mount',
    'kmod',
    'libseccomp2',
    'pigz',
    'bash',
    'ca-certificates',
    'curl',
    'jq',
    'procps',
  ] as readonly string[],
  /**
   * The base of every component image: `ip` and `nft` for kube-proxy (nftables mode) and cni-daemon, busybox for a
   * shell.
   */
  toolsPackages: ['iproute2', 'nftables', 'busybox', 'ca-certificates'] as readonly string[],
  /**
   * The base of the Istio and Bookinfo images: Node for the in-pod proxy and the stand-ins, iptables for
   * `istio-iptables` in the injected init container.
   */
  meshPackages: ['nodejs', 'iptables', 'ca-certificates'] as readonly string[],
});

/**
 * Names of what the build makes in Docker. `meshproof.local` is no registry, so nothing is ever pulled under these
 * names.
 */
export const IMAGE_NAMES = Object.freeze({
  node: 'meshproof.local/kind-node',
  /** The Debian rootfs every component image is built FROM (one layer, stored once by containerd). */
  tools: 'meshproof.local/kind-tools',
  /** Must equal the image in tools/kind-node/manifests/default-cni.yaml (a test checks). */
  cniDaemon: 'meshproof.local/cni-daemon:v1',
  /** The Debian rootfs with Node and iptables the Istio and Bookinfo images are built FROM. */
  meshBase: 'meshproof.local/mesh-base',
  /** The hub of the Istio images (pilot, proxyv2) and the Bookinfo stand-ins, for istioctl's `hub`. */
  meshHub: 'meshproof.local/istio',
});

/** The label on every image the build makes: the content key it was built from. */
export const KEY_LABEL = 'dev.meshproof.content-key';
