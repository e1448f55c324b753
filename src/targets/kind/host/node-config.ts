/**
 * The pieces of a kind cluster config that meshproof's locally built node image (kind-build) and a
 * cgroup v1 host need, for the kind target to merge into its own config when
 * MESHPROOF_KIND_IMAGES=local:
 *
 * - kube-proxy in nftables mode: the image's kube-proxy carries `nft` and no iptables, and nftables
 *   mode skips the legacy-versus-nft guess.
 * - on cgroup v1: kubelet ≥ 1.35 refuses to start unless `failCgroupV1: false`, and kubeadm's
 *   SystemVerification preflight fails, so it is skipped for init and join.
 */

export type CgroupVersion = '1' | '2';

export interface LocalNodeConfigOptions {
  /** The host's cgroup version, as `docker info` reports it (DockerInfo.cgroupVersion). */
  cgroupVersion: CgroupVersion | string;
  /** kube-proxy in nftables mode: the locally built node image has no iptables for it. Default true. */
  nftables?: boolean;
}

export interface KindConfigPieces {
  networking: { kubeProxyMode?: 'nftables' };
  /** kind's kubeadmConfigPatches: strategic-merge patches, one YAML document each. */
  kubeadmConfigPatches: string[];
}

export function localNodeConfig(o: LocalNodeConfigOptions): KindConfigPieces {
  const patches: string[] = [];
  if (o.cgroupVersion === '1') {
    for (const kind of ['InitConfiguration', 'JoinConfiguration']) {
      patches.push(`kind: ${kind}\nnodeRegistration:\n  ignorePreflightErrors:\n  - SystemVerification\n`);
    }
    patches.push('kind: KubeletConfiguration\nfailCgroupV1: false\n');
  }
  return {
    networking: o.nftables === false ? {} : { kubeProxyMode: 'nftables' },
    kubeadmConfigPatches: patches,
  };
}

/** A kind config (kind-config.ts) with the pieces merged in: networking fields added, patches appended. */
export function withLocalNodeConfig<T extends Record<string, unknown>>(
  config: T,
  pieces: KindConfigPieces,
): T & { networking: Record<string, unknown>; kubeadmConfigPatches?: string[] } {
  const networking = { ...((config.networking as Record<string, unknown> | undefined) ?? {}), ...pieces.networking };
  const existing = (config.kubeadmConfigPatches as string[] | undefined) ?? [];
  return {
    ...config,
    networking,
    ...(pieces.kubeadmConfigPatches.length || existing.length
      ? { kubeadmConfigPatches: [...existing, ...pieces.kubeadmConfigPatches] }
      : {}),
  };
}

/** The host's cgroup version from its mounts: cgroup2 at /sys/fs/cgroup means v2. */
export function cgroupVersionOf(mounts: string): CgroupVersion {
  return mounts.split('\n').some((l) => /^\S+ \/sys\/fs\/cgroup cgroup2 /.test(l)) ? '2' : '1';
}
