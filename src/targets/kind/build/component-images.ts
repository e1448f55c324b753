/**
 * The images a kind node runs, preloaded into its containerd so nothing is ever pulled: the control
 * plane, kube-proxy, CoreDNS and pause under exactly the names the built kubeadm asks for
 * (`kubeadm config images list`), and cni-daemon under the name its manifest uses. Each is one
 * binary `FROM` a Debian "tools" root file system imported into Docker once (iproute2, nftables,
 * busybox), so containerd stores that layer once. They are saved together as preload.tar.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { contentKey, type KeyInput, type Produced } from './cache.js';
import { docker, run, type BuildContext } from './context.js';
import { TOOLS_PACKAGES } from './debian-packages.js';
import { IMAGE_NAMES, KEY_LABEL, NODE_PINS } from './pins.js';
import { makeRootfs, rootfsTarArgs } from './rootfs.js';

export interface ComponentImage {
  ref: string;
  /** The built binary it carries (a name in `binaries`). */
  binary: string;
  /** Where the binary goes in the image. */
  dest: string;
  user?: string;
}

/** `kubeadm config images list` output → image references. */
export function parseImageList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[\w.-]+(?::\d+)?\/[\w./-]+:[\w.-]+$/.test(l));
}

/** The repository's last path element without the tag: `registry.k8s.io/coredns/coredns:v1.14.2` → `coredns`. */
export function repoName(ref: string): string {
  return basename(ref.replace(/:[\w.-]+$/, ''));
}

/** The tag of a reference: `registry.k8s.io/pause:3.10.2` → `3.10.2`. */
export function tagOf(ref: string): string {
  return /:([\w.-]+)$/.exec(ref)?.[1] ?? '';
}

/** What carries each image kubeadm asks for; throws on one this build cannot make. */
export function componentFor(ref: string): ComponentImage {
  const name = repoName(ref);
  if (/^kube-(apiserver|controller-manager|scheduler|proxy)$/.test(name) || name === 'etcd')
    return { ref, binary: name, dest: `/usr/local/bin/${name}` };
  if (name === 'coredns') return { ref, binary: 'coredns', dest: '/coredns' };
  if (name === 'pause') return { ref, binary: 'pause', dest: '/pause', user: '65535:65535' };
  throw new Error(`kubeadm asks for ${ref}, which the kind build does not make`);
}

/** Every image the node preloads: kubeadm's list plus cni-daemon. */
export function nodeImages(kubeadmRefs: readonly string[]): ComponentImage[] {
  return [
    ...kubeadmRefs.map(componentFor),
    { ref: IMAGE_NAMES.cniDaemon, binary: 'cni-daemon', dest: '/usr/local/bin/cni-daemon' },
  ];
}

export function dockerfile(from: string, img: ComponentImage): string {
  return [
    `FROM ${from}`,
    `COPY ${img.binary} ${img.dest}`,
    ...(img.user ? [`USER ${img.user}`] : []),
    `ENTRYPOINT ${JSON.stringify([img.dest])}`,
    '',
  ].join('\n');
}

/** Checks that kubeadm's list agrees with the pins; returns notes worth printing. */
export function checkImageList(refs: readonly string[]): string[] {
  const notes: string[] = [];
  const coredns = refs.find((r) => repoName(r) === 'coredns');
  if (coredns && tagOf(coredns) !== NODE_PINS.coredns)
    throw new Error(
      `kubeadm asks for ${coredns}, but tools/kind-node pins CoreDNS ${NODE_PINS.coredns}: ` +
        `run its regenerate.sh ${tagOf(coredns)} and update pins.ts`,
    );
  const etcd = refs.find((r) => repoName(r) === 'etcd');
  if (etcd)
    notes.push(`${etcd} carries etcd ${CONTROL_PLANE.etcd} (the wrapper module's pin), under the tag kubeadm asks for`);
  return notes;
}

/** The pause tag kubeadm asks for. */
export function pauseTag(refs: readonly string[]): string {
  const ref = refs.find((r) => repoName(r) === 'pause');
  if (!ref) throw new Error(`kubeadm's image list has no pause image: ${refs.join(', ')}`);
  return tagOf(ref);
}

/** The images kubeadm (the one just built) asks for, for the pinned Kubernetes version. */
export async function kubeadmImages(ctx: BuildContext, kubeadm: string): Promise<string[]> {
  const refs = parseImageList(
    await run(ctx, kubeadm, ['config', 'images', 'list', '--kubernetes-version', CONTROL_PLANE.kubernetes], {
      timeoutMs: 60_000,
    }),
  );
  if (!refs.length) throw new Error(`${kubeadm} config images list printed no images`);
  return refs;
}

const SELF = fileURLToPath(import.meta.url);

export interface ImageSources {
  /** Keys of the parts the binaries come from. */
  keys: Record<string, string>;
  /** Binary name → path. */
  binaries: Record<string, string>;
  /** The debs-tools part's folder. */
  toolsDebs: string;
}

export function imagesInputs(refs: readonly string[], src: ImageSources): KeyInput[] {
  return [
    ['images', refs.join('\n')],
    ...Object.entries(src.keys)
      .sort()
      .map(([part, key]) => [`part:${part}`, key] as const),
    [
      'dockerfiles',
      nodeImages(refs)
        .map((i) => dockerfile('<tools>', i))
        .join('\n'),
    ],
    ['recipe', readFileSync(SELF)],
  ];
}

export const PRELOAD_TAR = 'preload.tar';

export async function buildComponentImages(
  ctx: BuildContext,
  refs: readonly string[],
  src: ImageSources,
): Promise<Produced & { preload: string }> {
  const inputs = imagesInputs(refs, src);
  const p = await ctx.store.produce('images', inputs, async (dir) => {
    const key12 = contentKey(inputs).slice(0, 12);
    const tools = `${IMAGE_NAMES.tools}:${NODE_PINS.suite}-${key12}`;
    const rootfs = join(ctx.layout.work, 'tools-rootfs');
    const tar = join(ctx.layout.work, 'tools-rootfs.tar');
    ctx.say(`making the tools root file system (${TOOLS_PACKAGES.packages.join(', ')}) offline from the kept packages`);
    await makeRootfs(ctx, TOOLS_PACKAGES, src.toolsDebs, rootfs);
    await run(ctx, 'tar', rootfsTarArgs(rootfs, tar));
    await rm(rootfs, { recursive: true, force: true });
    await docker(ctx, ['import', '--change', `LABEL ${KEY_LABEL}=${key12}`, tar, tools]);
    await rm(tar, { force: true });
    const images = nodeImages(refs);
    for (const img of images) {
      const context = join(ctx.layout.work, `image-${img.binary}`);
      await rm(context, { recursive: true, force: true });
      await mkdir(context, { recursive: true });
      const bin = src.binaries[img.binary];
      if (!bin) throw new Error(`no built binary ${img.binary} for ${img.ref}`);
      await copyFile(bin, join(context, img.binary));
      await writeFile(join(context, 'Dockerfile'), dockerfile(tools, img));
      await docker(ctx, ['build', '--quiet', '--label', `${KEY_LABEL}=${key12}`, '--tag', img.ref, context]);
      await rm(context, { recursive: true, force: true });
      ctx.say(`built ${img.ref}`);
    }
    await docker(ctx, ['save', '--output', join(dir, PRELOAD_TAR), ...images.map((i) => i.ref)]);
    await writeFile(
      join(dir, 'images.json'),
      `${JSON.stringify({ tools, images: images.map((i) => i.ref) }, null, 2)}\n`,
    );
  });
  return { ...p, preload: join(p.dir, PRELOAD_TAR) };
}
