import { describe, expect, it } from 'vitest';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { contentKey } from './cache.js';
import {
  checkImageList,
  componentFor,
  dockerfile,
  imagesInputs,
  nodeImages,
  parseImageList,
  pauseTag,
  repoName,
  tagOf,
} from './component-images.js';
import {
  aptOptions,
  debFileLock,
  debootstrapArgs,
  NODE_PACKAGES,
  packageSetInputs,
  sourcesList,
  TOOLS_PACKAGES,
} from './debian-packages.js';
import {
  baseFileMode,
  containerdConfig,
  criBaseSpec,
  ctrImportArgs,
  NODE_ENTRYPOINT,
  nodeImageRef,
  preloadContainerArgs,
  REMOVED_UNITS,
  unitPattern,
} from './node-image.js';
import { gccPauseArgs } from './pause.js';
import { IMAGE_NAMES, NODE_PINS } from './pins.js';
import { dpkgInstallArgs, rootfsTarArgs } from './rootfs.js';

const KUBEADM_LIST = `registry.k8s.io/kube-apiserver:v1.36.3
registry.k8s.io/kube-controller-manager:v1.36.3
registry.k8s.io/kube-scheduler:v1.36.3
registry.k8s.io/kube-proxy:v1.36.3
registry.k8s.io/coredns/coredns:v1.14.2
registry.k8s.io/pause:3.10.2
registry.k8s.io/etcd:3.6.8-0
`;

describe('component images', () => {
  const refs = parseImageList(`W1207 some warning line\n${KUBEADM_LIST}`);

  it('reads kubeadm config images list, skipping anything that is not an image reference', () => {
    expect(refs).toHaveLength(7);
    expect(refs[4]).toBe('registry.k8s.io/coredns/coredns:v1.14.2');
    expect(repoName(refs[4]!)).toBe('coredns');
    expect(tagOf(refs[6]!)).toBe('3.6.8-0');
    expect(pauseTag(refs)).toBe('3.10.2');
  });

  it("puts each binary where kubeadm's manifests run it from", () => {
    expect(componentFor('registry.k8s.io/kube-proxy:v1.36.3')).toEqual({
      ref: 'registry.k8s.io/kube-proxy:v1.36.3',
      binary: 'kube-proxy',
      dest: '/usr/local/bin/kube-proxy',
    });
    expect(componentFor('registry.k8s.io/etcd:3.6.8-0').dest).toBe('/usr/local/bin/etcd');
    expect(componentFor('registry.k8s.io/coredns/coredns:v1.14.2').dest).toBe('/coredns');
    expect(componentFor('registry.k8s.io/pause:3.10.2')).toMatchObject({ dest: '/pause', user: '65535:65535' });
    expect(() => componentFor('registry.k8s.io/something-new:v1')).toThrow(/does not make/);
  });

  it("adds cni-daemon under the manifest's name, and writes one-binary Dockerfiles", () => {
    const all = nodeImages(refs);
    expect(all.map((i) => i.ref)).toEqual([...refs, IMAGE_NAMES.cniDaemon]);
    expect(dockerfile('tools:1', componentFor('registry.k8s.io/pause:3.10.2'))).toBe(
      'FROM tools:1\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n',
    );
  });

  it("checks the CoreDNS tag against the pin, and notes the etcd binary's real version", () => {
    expect(checkImageList(refs)).toEqual([expect.stringContaining(`etcd ${CONTROL_PLANE.etcd}`)]);
    expect(() => checkImageList(['registry.k8s.io/coredns/coredns:v9.9.9'])).toThrow(/regenerate.sh v9.9.9/);
  });

  it('keys the images on the parts they are made from', () => {
    const src = { keys: { k8s: 'a', pause: 'b' }, binaries: {}, toolsDebs: '/x' };
    const key = contentKey(imagesInputs(refs, src));
    expect(contentKey(imagesInputs(refs, { ...src, keys: { k8s: 'a2', pause: 'b' } }))).not.toBe(key);
    expect(contentKey(imagesInputs(refs, { ...src, toolsDebs: '/elsewhere' }))).toBe(key);
  });
});

describe('Debian packages', () => {
  it('downloads with debootstrap --make-tarball and bootstraps offline with --unpack-tarball', () => {
    expect(debootstrapArgs(TOOLS_PACKAGES, 'make', '/c/debootstrap.tgz', '/w/t')).toEqual([
      '--variant=minbase',
      '--include=iproute2,nftables,busybox,ca-certificates',
      '--make-tarball=/c/debootstrap.tgz',
      'trixie',
      '/w/t',
      'http://deb.debian.org/debian',
    ]);
    expect(debootstrapArgs(TOOLS_PACKAGES, 'unpack', '/c/d.tgz', '/r')[2]).toBe('--unpack-tarball=/c/d.tgz');
  });

  it('fetches the runtime packages from sid with a private apt configuration', () => {
    expect(NODE_PACKAGES.runtime).toEqual({
      suite: 'sid',
      packages: ['containerd', 'runc', 'containernetworking-plugins'],
    });
    const o = aptOptions('/w/apt');
    expect(o).toContain('Dir::Etc::SourceList=/w/apt/sources.list');
    expect(o).toContain('Dir::Etc::SourceParts=/dev/null');
    expect(o.filter((x) => x === '-o')).toHaveLength(o.length / 2);
    expect(sourcesList('http://m/debian', 'sid')).toBe(
      'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://m/debian sid main\n',
    );
  });

  it('keys a package set on suites and lists, not on what the suite holds today', () => {
    const key = contentKey(packageSetInputs(NODE_PACKAGES));
    expect(contentKey(packageSetInputs({ ...NODE_PACKAGES, packages: [...NODE_PACKAGES.packages, 'vim'] }))).not.toBe(
      key,
    );
    expect(
      contentKey(packageSetInputs({ ...NODE_PACKAGES, runtime: { suite: 'forky', packages: ['containerd'] } })),
    ).not.toBe(key);
    expect(contentKey(packageSetInputs(TOOLS_PACKAGES))).not.toBe(key);
  });

  it('lists downloaded .debs as name, version and architecture', () => {
    expect(debFileLock('./var/cache/apt/archives/libc6_2.41-12_amd64.deb')).toBe('libc6 2.41-12 amd64');
    expect(debFileLock('containerd_2.1.9~ds1-1_amd64.deb')).toBe('containerd 2.1.9~ds1-1 amd64');
    expect(debFileLock('var/cache/apt/archives/iproute2_1%3a6.15.0-1_amd64.deb')).toBe('iproute2 1:6.15.0-1 amd64');
    expect(debFileLock('var/lib/apt/lists/deb.debian.org_debian_dists_trixie_Release')).toBeNull();
  });

  it('installs runtime .debs in a chroot and archives a root with numeric owners', () => {
    expect(dpkgInstallArgs('/r', ['/tmp/a.deb', '/tmp/b.deb'])).toEqual([
      '/r',
      'dpkg',
      '--install',
      '--force-confdef',
      '/tmp/a.deb',
      '/tmp/b.deb',
    ]);
    expect(rootfsTarArgs('/r', '/w/r.tar')).toEqual(['--numeric-owner', '-C', '/r', '-cf', '/w/r.tar', '.']);
  });
});

describe('the node image', () => {
  it("gives kind's base files the Dockerfile's modes", () => {
    expect(baseFileMode('usr/local/bin/entrypoint')).toBe(0o755);
    expect(baseFileMode('kind/bin/mount-product-files.sh')).toBe(0o755);
    expect(baseFileMode('kind/README.txt')).toBe(0o644);
    expect(baseFileMode('etc/systemd/system/kubelet.service')).toBe(0o644);
  });

  it('removes the units kind removes', () => {
    const matches = (p: string) => REMOVED_UNITS.some((g) => unitPattern(g).test(p));
    expect(matches('lib/systemd/system/multi-user.target.wants/getty.target')).toBe(true);
    expect(matches('etc/systemd/system/timers.target.wants/apt-daily.timer')).toBe(true);
    expect(matches('lib/systemd/system/sockets.target.wants/systemd-udevd-control.socket')).toBe(true);
    expect(matches('lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service')).toBe(true);
    expect(matches('lib/systemd/system/sysinit.target.wants/systemd-journald.service')).toBe(false);
    expect(matches('etc/systemd/system/kubelet.service')).toBe(false);
  });

  it("changes containerd's config for this host and the pause tag; fails loudly when kind's config changes", () => {
    const toml =
      '[plugins."io.containerd.grpc.v1.cri"]\n' +
      '  sandbox_image = "registry.k8s.io/pause:3.10"\n  restrict_oom_score_adj = false\n';
    expect(containerdConfig(toml, '3.10.2')).toBe(
      '[plugins."io.containerd.grpc.v1.cri"]\n' +
        '  sandbox_image = "registry.k8s.io/pause:3.10.2"\n  restrict_oom_score_adj = true\n',
    );
    expect(() => containerdConfig('version = 3\n', '3.10.2')).toThrow(/no longer has/);
  });

  it("makes cri-base.json as kind's Dockerfile does with jq", () => {
    const spec = JSON.stringify({
      ociVersion: '1.2.0',
      process: { rlimits: [{ type: 'RLIMIT_NOFILE' }], cwd: '/' },
      hooks: { createContainer: [{ path: '/x' }] },
    });
    expect(JSON.parse(criBaseSpec(spec))).toEqual({
      ociVersion: '1.2.0',
      process: { cwd: '/' },
      hooks: { createContainer: [{ path: '/x' }, { path: '/kind/bin/mount-product-files.sh' }] },
    });
    expect(JSON.parse(criBaseSpec('{"process":{}}')).hooks).toEqual({
      createContainer: [{ path: '/kind/bin/mount-product-files.sh' }],
    });
  });

  it('names the image after Kubernetes and its key; runs the preload container with values, not a shell line', () => {
    expect(nodeImageRef('0123456789abcdef')).toBe(`meshproof.local/kind-node:${CONTROL_PLANE.kubernetes}-0123456789ab`);
    expect(preloadContainerArgs('b', 'img', '/c/images/k')).toEqual([
      'run',
      '--detach',
      '--init',
      '--name',
      'b',
      '--privileged',
      '--security-opt',
      'seccomp=unconfined',
      '--entrypoint',
      'sleep',
      '--volume',
      '/c/images/k:/tmp/meshproof-preload:ro',
      'img',
      'infinity',
    ]);
    expect(ctrImportArgs('b', '/p.tar')).toEqual([
      'exec',
      'b',
      'ctr',
      '--namespace=k8s.io',
      'images',
      'import',
      '--label=io.cri-containerd.pinned=pinned',
      '--all-platforms',
      '--no-unpack',
      '--digests',
      '/p.tar',
    ]);
    expect(NODE_ENTRYPOINT).toEqual(['/usr/local/bin/entrypoint', '/sbin/init']);
  });

  it('compiles pause static with its version', () => {
    expect(gccPauseArgs('/k/pause.c', '/o/pause', '3.10.2')).toEqual([
      '-Os',
      '-static',
      '-Wall',
      '-DVERSION=v3.10.2',
      '-o',
      '/o/pause',
      '/k/pause.c',
    ]);
    expect(NODE_PINS.suite).toBe('trixie');
  });
});
