/**
 * Optional preloading of images into the kind node from the host's Docker, cached as
 * single-platform archives keyed by digest so a second run neither pulls from Docker Hub (rate
 * limits) nor saves again.
 */
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checked, type CommandRunner } from '../../core/process.js';
import { dockerArgs } from './docker.js';
import type { KindCli } from './kind-cli.js';

export interface PreloadOptions {
  runner: CommandRunner;
  kind: KindCli;
  cluster: string;
  /** Archives go to `<cacheDir>/images/<digest>.tar`. */
  cacheDir: string;
  /** `linux/amd64` or `linux/arm64`: the node's platform. */
  platform: string;
  signal?: AbortSignal;
  onImage?: (image: string, how: 'cached' | 'saved') => void;
}

/**
 * Loads each image into the node from an archive cached by digest. An image whose archive the
 * cache index already names (a restored CI cache) is loaded without touching a registry; any other
 * is pulled on the host and saved once per digest.
 */
export async function preloadImages(images: readonly string[], o: PreloadOptions): Promise<void> {
  await mkdir(join(o.cacheDir, 'images'), { recursive: true });
  const sig = o.signal ? { signal: o.signal } : {};
  const index = await readIndex(o.cacheDir);
  for (const image of images) {
    o.signal?.throwIfAborted();
    const key = `${image} ${o.platform}`;
    const known = index[key];
    if (known && (await exists(join(o.cacheDir, 'images', known)))) {
      await checked(
        o.runner,
        o.kind.binary,
        o.kind.loadImageArchiveArgs(o.cluster, join(o.cacheDir, 'images', known)),
        { timeoutMs: 10 * 60_000, ...sig },
      );
      o.onImage?.(image, 'cached');
      continue;
    }
    await checked(o.runner, 'docker', dockerArgs.pull(image, o.platform), {
      timeoutMs: 10 * 60_000,
      ...sig,
      hint: 'Docker Hub limits anonymous pulls: `docker login`, or use a mirror',
    });
    const digest = (await checked(o.runner, 'docker', dockerArgs.repoDigest(image), { timeoutMs: 30_000 })).trim();
    const archive = archivePath(o.cacheDir, digest || image);
    let how: 'cached' | 'saved' = 'cached';
    if (!(await exists(archive))) {
      const tmp = `${archive}.partial`;
      try {
        await checked(o.runner, 'docker', dockerArgs.save(image, o.platform, tmp), { timeoutMs: 10 * 60_000, ...sig });
        await rename(tmp, archive);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      how = 'saved';
    }
    index[key] = archive.slice(join(o.cacheDir, 'images').length + 1);
    await writeFile(indexPath(o.cacheDir), `${JSON.stringify(index, null, 2)}\n`);
    await checked(o.runner, o.kind.binary, o.kind.loadImageArchiveArgs(o.cluster, archive), {
      timeoutMs: 10 * 60_000,
      ...sig,
    });
    o.onImage?.(image, how);
  }
}

const indexPath = (cacheDir: string) => join(cacheDir, 'images', 'index.json');

/** `"<image> <platform>"` → archive file name inside `images/`. */
async function readIndex(cacheDir: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(indexPath(cacheDir), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** `docker.io/istio/pilot@sha256:ab…` → `<cache>/images/sha256-ab….tar`; without a digest, a name-safe file. */
export function archivePath(cacheDir: string, digestOrImage: string): string {
  const d = /sha256:([0-9a-f]{64})/.exec(digestOrImage);
  const file = d ? `sha256-${d[1]}.tar` : `${digestOrImage.replace(/[^\w.-]+/g, '_')}.tar`;
  return join(cacheDir, 'images', file);
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
