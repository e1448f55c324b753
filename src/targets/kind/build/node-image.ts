/**
 * The kind node image, made the way kind v0.33.0's images/base/Dockerfile and its node-image build
 * make theirs, from what this machine can reach: a Debian root file system (rootfs.ts) with kind's
 * base files copied from its Go module (entrypoint, /kind/bin scripts, systemd units, containerd's
 * config), the Dockerfile's RUN steps done in a chroot, Kubernetes' node binaries, the pod network
 * and storage manifests, then imported into Docker, the component images imported into its
 * containerd (in a throwaway container), committed, and saved to the cache.
 *
 * Differences from kind's own image, each needed here: Debian's containerd/runc/CNI plugins live in
 * /usr/bin and /usr/lib/cni (linked to where kind's units look), containerd clamps pods'
 * oom_score_adj (`restrict_oom_score_adj`: no process may lower one where CAP_SYS_RESOURCE is
 * missing; harmless elsewhere), and the sandbox image is the pause tag kubeadm asks for.
 */
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { contentKey, fileInputs, treeFiles, type KeyInput, type Produced } from './cache.js';
import { docker, dockerImageId, run, type BuildContext } from './context.js';
import { NODE_PACKAGES } from './debian-packages.js';
import { NODE_TOOLS_DIR } from './node-tools.js';
import { IMAGE_NAMES, KEY_LABEL, NODE_PINS } from './pins.js';
import { makeRootfs, rootfsTarArgs } from './rootfs.js';

export const NODE_ENTRYPOINT = ['/usr/local/bin/entrypoint', '/sbin/init'];
export const NODE_IMAGE_TAR = 'node-image.tar';
const MANIFESTS = ['default-cni.yaml', 'default-storage.yaml'];

/** The mode kind's Dockerfile gives each of its base files: scripts 0755, the rest 0644. */
export function baseFileMode(rel: string): number {
  return /^(usr\/local\/bin|kind\/bin)\//.test(rel) ? 0o755 : 0o644;
}

/** The systemd units kind's Dockerfile removes (paths relative to the root; `*` is a name wildcard). */
export const REMOVED_UNITS = [
  'lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service',
  'lib/systemd/system/multi-user.target.wants/*',
  'etc/systemd/system/*.wants/*',
  'lib/systemd/system/local-fs.target.wants/*',
  'lib/systemd/system/sockets.target.wants/*udev*',
  'lib/systemd/system/sockets.target.wants/*initctl*',
  'lib/systemd/system/basic.target.wants/*',
];

/** A pattern of REMOVED_UNITS as a RegExp over a relative path (pure). */
export function unitPattern(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
}

/** containerd's config as the node needs it: pods' oom_score_adj clamped, pause at kubeadm's tag. */
export function containerdConfig(toml: string, pauseTag: string): string {
  const out = toml
    .replace(/restrict_oom_score_adj = false/, 'restrict_oom_score_adj = true')
    .replace(/sandbox_image = "registry\.k8s\.io\/pause:[^"]+"/, `sandbox_image = "registry.k8s.io/pause:${pauseTag}"`);
  if (!out.includes('restrict_oom_score_adj = true') || !out.includes(`registry.k8s.io/pause:${pauseTag}"`)) {
    throw new Error(
      "kind's containerd config.toml no longer has the restrict_oom_score_adj and sandbox_image lines " +
        'the node image changes',
    );
  }
  return out;
}

/** `ctr oci spec` → the base runtime spec kind's Dockerfile makes: its mount hook added, rlimits removed. */
export function criBaseSpec(spec: string): string {
  const s = JSON.parse(spec) as { hooks?: { createContainer?: unknown[] }; process?: { rlimits?: unknown } };
  s.hooks = {
    ...s.hooks,
    createContainer: [...(s.hooks?.createContainer ?? []), { path: '/kind/bin/mount-product-files.sh' }],
  };
  if (s.process) delete s.process.rlimits;
  return `${JSON.stringify(s, null, 2)}\n`;
}

export function nodeImageRef(key: string): string {
  return `${IMAGE_NAMES.node}:${CONTROL_PLANE.kubernetes}-${key.slice(0, 12)}`;
}

/** The throwaway container the component images are imported in (its containerd runs under docker exec). */
export function preloadContainerArgs(name: string, image: string, preloadDir: string): string[] {
  return [
    'run',
    '--detach',
    '--init',
    '--name',
    name,
    '--privileged',
    '--security-opt',
    'seccomp=unconfined',
    '--entrypoint',
    'sleep',
    '--volume',
    `${preloadDir}:/tmp/meshproof-preload:ro`,
    image,
    'infinity',
  ];
}

export function ctrImportArgs(container: string, tar: string): string[] {
  return [
    'exec',
    container,
    'ctr',
    '--namespace=k8s.io',
    'images',
    'import',
    '--label=io.cri-containerd.pinned=pinned',
    '--all-platforms',
    '--no-unpack',
    '--digests',
    tar,
  ];
}

export interface NodeImageSources {
  keys: Record<string, string>;
  /** Folder of the debs-node part. */
  nodeDebs: string;
  kindModule: string;
  binaries: Record<string, string>;
  /** preload.tar of the images part. */
  preload: string;
  pauseTag: string;
  refs: readonly string[];
}

const SELF = fileURLToPath(import.meta.url);
const ROOTFS_RECIPE = join(dirname(SELF), 'rootfs.ts');

export function nodeImageInputs(
  src: Pick<NodeImageSources, 'keys' | 'pauseTag'>,
  manifestsDir = join(NODE_TOOLS_DIR, 'manifests'),
): KeyInput[] {
  return [
    ...Object.entries(src.keys)
      .sort()
      .map(([part, key]) => [`part:${part}`, key] as const),
    ['kind', NODE_PINS.kind],
    ['kubernetes', CONTROL_PLANE.kubernetes],
    ['pause', src.pauseTag],
    ...fileInputs(manifestsDir, MANIFESTS, 'tools/kind-node/manifests/'),
    ['recipe', readFileSync(SELF)],
    ['rootfs recipe', readFileSync(ROOTFS_RECIPE)],
  ];
}

export interface NodeImage extends Produced {
  ref: string;
  tar: string;
  /** True when Docker lacked the image and it was loaded from the cache. */
  loaded: boolean;
}

export async function buildNodeImage(ctx: BuildContext, src: NodeImageSources): Promise<NodeImage> {
  const inputs = nodeImageInputs(src);
  const ref = nodeImageRef(contentKey(inputs));
  const p = await ctx.store.produce('node-image', inputs, async (dir) => {
    const root = join(ctx.layout.work, 'node-rootfs');
    const tar = join(ctx.layout.work, 'node-rootfs.tar');
    const base = `${IMAGE_NAMES.node}-base:${ref.split(':')[1]}`;
    const stage = `${IMAGE_NAMES.node}-stage:${ref.split(':')[1]}`;
    const container = `meshproof-node-build-${process.pid}`;
    try {
      ctx.say(
        `making the node root file system (${NODE_PACKAGES.suite} and ` +
          `${NODE_PACKAGES.runtime?.packages.join(', ')} from ${NODE_PACKAGES.runtime?.suite}) ` +
          'offline from the kept packages',
      );
      await makeRootfs(ctx, NODE_PACKAGES, src.nodeDebs, root);
      await fillRootfs(ctx, root, src);
      await run(ctx, 'tar', rootfsTarArgs(root, tar));
      await rm(root, { recursive: true, force: true });
      await docker(ctx, [
        'import',
        '--change',
        'ENV container=docker',
        '--change',
        `ENTRYPOINT ${JSON.stringify(NODE_ENTRYPOINT)}`,
        tar,
        base,
      ]);
      await rm(tar, { force: true });
      ctx.say("importing the component images into the node image's containerd");
      await docker(ctx, ['rm', '--force', container]).catch(() => undefined);
      await docker(ctx, preloadContainerArgs(container, base, dirname(src.preload)));
      await preload(ctx, container, src.refs);
      // docker 20.10's commit --change cannot set STOPSIGNAL (systemd stops on SIGRTMIN+3):
      // a metadata-only build adds it.
      await docker(ctx, [
        'commit',
        '--change',
        `ENTRYPOINT ${JSON.stringify(NODE_ENTRYPOINT)}`,
        '--change',
        'CMD []',
        container,
        stage,
      ]);
      const context = join(ctx.layout.work, 'node-image-context');
      await mkdir(context, { recursive: true });
      await writeFile(
        join(context, 'Dockerfile'),
        `FROM ${stage}\nSTOPSIGNAL SIGRTMIN+3\nLABEL ${KEY_LABEL}=${contentKey(inputs).slice(0, 12)}\n`,
      );
      await docker(ctx, ['build', '--quiet', '--tag', ref, context]);
      await rm(context, { recursive: true, force: true });
      ctx.say(`saving ${ref} to the cache`);
      await docker(ctx, ['save', '--output', join(dir, NODE_IMAGE_TAR), ref]);
      const id = await dockerImageId(ctx, ref);
      await writeFile(
        join(dir, 'image.json'),
        `${JSON.stringify(
          {
            ref,
            id,
            kubernetes: CONTROL_PLANE.kubernetes,
            kind: NODE_PINS.kind,
            preloaded: [...src.refs, IMAGE_NAMES.cniDaemon],
          },
          null,
          2,
        )}\n`,
      );
    } finally {
      await ctx.runner.run('docker', ['rm', '--force', container], { timeoutMs: 120_000 });
      await ctx.runner.run('docker', ['image', 'rm', stage, base], { timeoutMs: 120_000 });
      await rm(root, { recursive: true, force: true });
      await rm(tar, { force: true });
    }
  });
  let loaded = false;
  if (!(await dockerImageId(ctx, ref))) {
    ctx.say(`Docker has no ${ref}: loading it from the cache`);
    await docker(ctx, ['load', '--input', join(p.dir, NODE_IMAGE_TAR)]);
    loaded = true;
  }
  return { ...p, ref, tar: join(p.dir, NODE_IMAGE_TAR), loaded };
}

/** kind's base files, its Dockerfile's RUN steps, the Kubernetes binaries and the manifests. */
async function fillRootfs(ctx: BuildContext, root: string, src: NodeImageSources): Promise<void> {
  const files = join(src.kindModule, 'images', 'base', 'files');
  for (const rel of treeFiles(files)) {
    const to = join(root, rel);
    await mkdir(dirname(to), { recursive: true, mode: 0o755 });
    await copyFile(join(files, rel), to);
    chmodSync(to, baseFileMode(rel));
  }
  for (const d of ['kind', 'kind/bin', 'kind/manifests', 'etc/kubernetes/manifests', 'opt/cni/bin', 'etc/cni/net.d']) {
    await mkdir(join(root, d), { recursive: true, mode: 0o755 });
    chmodSync(join(root, d), 0o755);
  }
  for (const glob of REMOVED_UNITS) {
    const re = unitPattern(glob);
    for (const parent of expandDirs(root, dirname(glob))) {
      for (const name of existsSync(parent) ? readdirSync(parent) : []) {
        if (re.test(relative(root, join(parent, name)))) await rm(join(parent, name), { force: true });
      }
    }
  }
  await appendFile(join(root, 'etc/systemd/journald.conf'), 'ReadKMsg=no\n');
  await relink(join(root, 'sbin/init'), '/usr/lib/systemd/systemd');
  // Debian's paths, where kind's units and config look elsewhere.
  await relink(join(root, 'usr/local/bin/containerd'), '/usr/bin/containerd');
  for (const plugin of readdirSync(join(root, 'usr/lib/cni')))
    await relink(join(root, 'opt/cni/bin', plugin), `/usr/lib/cni/${plugin}`);
  await run(ctx, 'chroot', [
    root,
    'systemctl',
    'enable',
    'kubelet.service',
    'containerd.service',
    'undo-mount-hacks.service',
  ]);
  await run(ctx, 'chroot', [root, 'systemctl', 'mask', 'systemd-binfmt.service']);
  await writeFile(
    join(root, 'etc/containerd/cri-base.json'),
    criBaseSpec(await run(ctx, 'chroot', [root, 'ctr', 'oci', 'spec'])),
  );
  const toml = join(root, 'etc/containerd/config.toml');
  await writeFile(toml, containerdConfig(await readFile(toml, 'utf8'), src.pauseTag));
  for (const [name, dest] of [
    ['kubelet', 'usr/bin'],
    ['kubeadm', 'usr/bin'],
    ['kubectl', 'usr/bin'],
    ['crictl', 'usr/local/bin'],
  ] as const) {
    const bin = src.binaries[name];
    if (!bin) throw new Error(`no built ${name} for the node image`);
    await copyFile(bin, join(root, dest, name));
    chmodSync(join(root, dest, name), 0o755);
  }
  await writeFile(join(root, 'kind/version'), CONTROL_PLANE.kubernetes);
  for (const m of MANIFESTS) await copyFile(join(NODE_TOOLS_DIR, 'manifests', m), join(root, 'kind/manifests', m));
}

/** The folders a REMOVED_UNITS parent names, with `*` expanded one level (`etc/systemd/system/*.wants`). */
function expandDirs(root: string, relDir: string): string[] {
  if (!relDir.includes('*')) return [join(root, relDir)];
  const parent = join(root, dirname(relDir));
  if (!existsSync(parent)) return [];
  const re = unitPattern(relDir);
  return readdirSync(parent)
    .filter((n) => re.test(`${dirname(relDir)}/${n}`))
    .map((n) => join(parent, n));
}

async function relink(path: string, target: string): Promise<void> {
  await rm(path, { force: true });
  await mkdir(dirname(path), { recursive: true });
  await symlink(target, path);
}

/**
 * Starts containerd in the container, imports preload.tar into k8s.io, checks every image is there, stops containerd.
 */
async function preload(ctx: BuildContext, container: string, refs: readonly string[]): Promise<void> {
  await docker(ctx, ['exec', '--detach', container, 'containerd', '--log-level', 'warn']);
  const deadline = Date.now() + 60_000;
  while (
    (await ctx.runner.run('docker', ['exec', container, 'ctr', 'version'], { timeoutMs: 10_000 })).exitCode !== 0
  ) {
    if (Date.now() > deadline) throw new Error(`containerd did not start in ${container}`);
    await sleep(500);
  }
  await docker(ctx, ctrImportArgs(container, '/tmp/meshproof-preload/preload.tar'), { timeoutMs: 20 * 60_000 });
  const have = new Set(
    (await docker(ctx, ['exec', container, 'ctr', '--namespace=k8s.io', 'images', 'list', '--quiet']))
      .split('\n')
      .map((l) => l.trim()),
  );
  const missing = [...refs, IMAGE_NAMES.cniDaemon].filter((r) => !have.has(r) && !have.has(`docker.io/${r}`));
  if (missing.length)
    throw new Error(
      `after ctr images import, containerd lacks: ${missing.join(', ')} ` +
        `(it has: ${[...have].filter(Boolean).join(', ')})`,
    );
  await docker(ctx, ['exec', container, 'pkill', '--exact', 'containerd']);
  const stopBy = Date.now() + 60_000;
  for (;;) {
    const ps = await ctx.runner.run('docker', ['exec', container, 'ps', '-C', 'containerd', '-o', 'stat='], {
      timeoutMs: 10_000,
    });
    if (ps.stdout.split('\n').every((l) => !l.trim() || l.trim().startsWith('Z'))) break;
    if (Date.now() > stopBy) throw new Error(`containerd did not stop in ${container}`);
    await sleep(250);
  }
}
