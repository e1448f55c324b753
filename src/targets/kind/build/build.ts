/**
 * `npm run kind:build`: kind and a kind node image for Kubernetes CONTROL_PLANE.kubernetes, made
 * offline from the project's own files, Debian packages and Go modules (issue 24, Build item 1).
 *
 *   host packages (docker.io, debootstrap, gcc) → runc-capfilter → dockerd (started if not running)
 *   ├─ Go, one after the other (2 cores):  kind CLI → Kubernetes → node tools → pause
 *   └─ Debian downloads, beside the Go builds:  node packages ‖ tools packages
 *   → component images (preload.tar) → node image
 *   → Istio and Bookinfo images (mesh-images.tar), from the control-plane build's Istio binaries
 *
 * Every part is cached by content (cache.ts); a second run builds nothing and says so. The result
 * is written to manifest.json for the kind target (MESHPROOF_KIND_IMAGES=local) and the smoke test.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { KindBuildManifest } from './manifest.js';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { wrap } from '../../../core/errors.js';
import type { CommandRunner } from '../../../core/process.js';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { hostMissingCapabilities } from '../host/capabilities.js';
import { ensureDockerd, type DockerdStatus } from '../host/dockerd.js';
import { hostStateDir } from '../host/state-dir.js';
import { ArtefactStore, type Produced } from './cache.js';
import { buildComponentImages, checkImageList, kubeadmImages, pauseTag } from './component-images.js';
import { type BuildContext } from './context.js';
import { fetchPackageSet, MESH_PACKAGES, NODE_PACKAGES, TOOLS_PACKAGES } from './debian-packages.js';
import { goVersion, moduleDir } from './go.js';
import { bundleInPodEntries } from './bundle.js';
import { buildMeshImages } from './mesh-images.js';

/** Istio's bootstrap template in the istio.io/istio module; proxyv2 carries it where pilot-agent reads it. */
const BOOTSTRAP_TEMPLATE = 'tools/packaging/common/envoy_bootstrap.json';
import { ensureHostPackages } from './host-packages.js';
import { buildK8sBinaries, K8S_NODE_BINARIES } from './k8s-binaries.js';
import { buildKindCli, kindModuleDir } from './kind-cli.js';
import { kindBuildLayout, type KindBuildLayout } from './layout.js';
import { buildNodeImage } from './node-image.js';
import { buildTools, CAPFILTER, NODE_TOOLS } from './node-tools.js';
import { buildPause } from './pause.js';
import { NODE_PINS } from './pins.js';

/** The Istio binaries of the control-plane build (tools/controlplane/istio), which the caller runs first. */
export interface IstioBinaries {
  /** That build's content key. */
  key: string;
  pilotAgent: string;
  pilotDiscovery: string;
  istioctl: string;
  descriptors: string;
  /** The pinned Gateway API CRDs copied out of their Go module: `gateway-api/<version>/<file>` → absolute path. */
  gatewayApiFiles: Record<string, string>;
}

export interface KindBuildOptions {
  cacheDir: string;
  istio: IstioBinaries;
  runner: CommandRunner;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

/**
 * built: made now; cached: its artefact was there; loaded: into Docker from the cache; done: a host step acted;
 * present: a host step had nothing to do.
 */
export type PartStatus = 'built' | 'cached' | 'loaded' | 'done' | 'present';

export interface PartTiming {
  part: string;
  status: PartStatus;
  ms: number;
  detail?: string;
}

export type { KindBuildManifest } from './manifest.js';
export { readKindBuildManifest } from './manifest.js';

export interface KindBuildResult {
  manifest: KindBuildManifest;
  timings: PartTiming[];
  docker: DockerdStatus;
  totalMs: number;
}

export async function buildKindNode(o: KindBuildOptions): Promise<KindBuildResult> {
  const say = o.onProgress ?? (() => {});
  const layout = kindBuildLayout(o.cacheDir);
  const t0 = Date.now();
  const timings: PartTiming[] = [];
  const record = (t: PartTiming) => {
    timings.push(t);
    say(`${t.part}: ${statusText(t)}`);
  };
  /** Runs one part, timing it and wrapping its error with the part's name. */
  const part = async <T extends Produced>(
    name: string,
    fn: () => Promise<T>,
    status?: (r: T) => PartStatus,
  ): Promise<T> => {
    const s = Date.now();
    try {
      const r = await fn();
      record({
        part: name,
        status: status?.(r) ?? (r.built ? 'built' : 'cached'),
        ms: Date.now() - s,
        ...(r.changed?.length ? { detail: `changed: ${r.changed.join(', ')}` } : {}),
      });
      return r;
    } catch (err) {
      throw wrap(`kind build, ${name}`, err);
    }
  };

  await mkdir(layout.work, { recursive: true });
  await takeLock(layout);
  try {
    let s = Date.now();
    const installed = await ensureHostPackages(o.runner, say).catch((err) => {
      throw wrap('kind build, host packages', err);
    });
    record({
      part: 'host packages',
      status: installed.installed.length ? 'done' : 'present',
      ms: Date.now() - s,
      ...(installed.installed.length ? { detail: `installed ${installed.installed.join(', ')}` } : {}),
    });
    const ctx: BuildContext = {
      runner: o.runner,
      store: new ArtefactStore(layout.root),
      layout,
      goVersion: await goVersion(o.runner),
      say,
      ...(o.signal ? { signal: o.signal } : {}),
    };

    const capfilter = await part('capfilter', () => buildTools(ctx, CAPFILTER));
    s = Date.now();
    const missing = hostMissingCapabilities();
    const docker = await ensureDockerd({
      runner: o.runner,
      stateDir: hostStateDir(o.cacheDir),
      capfilter: capfilter.binaries['runc-capfilter']!,
      missingCapabilities: missing,
      onProgress: say,
    }).catch((err) => {
      throw wrap('kind build, dockerd', err);
    });
    if (docker.warning) say(`warning: ${docker.warning}`);
    record({
      part: 'dockerd',
      status: docker.started ? 'done' : 'present',
      ms: Date.now() - s,
      detail: docker.started
        ? `started pid ${docker.record?.pid}` +
          (missing.length ? ` with runc-capfilter (host lacks ${missing.join(', ')})` : '')
        : `already running${docker.ours ? ' (started by meshproof)' : ''}`,
    });

    const goChain = async () => {
      const kind = await part('kind-cli', () => buildKindCli(ctx));
      const k8s = await part('k8s', () => buildK8sBinaries(ctx));
      const tools = await part('node-tools', () => buildTools(ctx, NODE_TOOLS));
      const refs = await kubeadmImages(ctx, join(k8s.dir, 'kubeadm'));
      for (const n of checkImageList(refs)) say(n);
      const pause = await part('pause', () => buildPause(ctx, pauseTag(refs)));
      return { kind, k8s, tools, refs, pause };
    };
    const debChain = async () => {
      const [node, tools, mesh] = await Promise.all([
        part('debs-node', () => fetchPackageSet(ctx, NODE_PACKAGES)),
        part('debs-tools', () => fetchPackageSet(ctx, TOOLS_PACKAGES)),
        part('debs-mesh', () => fetchPackageSet(ctx, MESH_PACKAGES)),
      ]);
      return { node, tools, mesh };
    };
    const [go, debs] = await Promise.all([goChain(), debChain()]);

    const k8sBinaries = Object.fromEntries(K8S_NODE_BINARIES.map((b) => [b.name, join(go.k8s.dir, b.name)]));
    const binaries = { ...k8sBinaries, ...go.tools.binaries, pause: go.pause.binary };
    const images = await part('images', () =>
      buildComponentImages(ctx, go.refs, {
        keys: { k8s: go.k8s.key, 'node-tools': go.tools.key, pause: go.pause.key, 'debs-tools': debs.tools.key },
        binaries,
        toolsDebs: debs.tools.dir,
      }),
    );
    const kindModule = await kindModuleDir(ctx);
    const node = await part(
      'node-image',
      () =>
        buildNodeImage(ctx, {
          keys: { 'debs-node': debs.node.key, k8s: go.k8s.key, 'node-tools': go.tools.key, images: images.key },
          nodeDebs: debs.node.dir,
          kindModule,
          binaries,
          preload: images.preload,
          pauseTag: pauseTag(go.refs),
          refs: go.refs,
        }),
      (r) => (r.built ? 'built' : r.loaded ? 'loaded' : 'cached'),
    );

    const mesh = await part('mesh-images', async () => {
      const bundle = await bundleInPodEntries(join(layout.work, 'bundle'));
      const istioModule = await moduleDir(o.runner, 'istio.io/istio', CONTROL_PLANE.istioModule, layout.work);
      return buildMeshImages(ctx, {
        keys: { 'debs-mesh': debs.mesh.key, istio: o.istio.key },
        istioBin: o.istio,
        gatewayApiFiles: o.istio.gatewayApiFiles,
        bootstrapTemplate: join(istioModule, BOOTSTRAP_TEMPLATE),
        bundle,
        meshDebs: debs.mesh.dir,
      });
    });

    const manifest: KindBuildManifest = {
      kubernetes: CONTROL_PLANE.kubernetes,
      kind: NODE_PINS.kind,
      nodeImage: node.ref,
      kindBinary: go.kind.binary,
      kubectl: k8sBinaries.kubectl!,
      capfilter: capfilter.binaries['runc-capfilter']!,
      istioHub: mesh.hub,
      istioTag: mesh.tag,
      bookinfoHub: mesh.hub,
      bookinfoTag: mesh.tag,
      istioctl: mesh.istioctl,
      meshImages: mesh.archive,
      gatewayApiDir: mesh.gatewayApiDir,
      keys: Object.fromEntries(
        [capfilter, go.kind, go.k8s, go.tools, go.pause, debs.node, debs.tools, debs.mesh, images, node, mesh].map(
          (p) => [p.part, p.key],
        ),
      ),
      builtAt: new Date().toISOString(),
    };
    await writeFile(layout.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    const totalMs = Date.now() - t0;
    await appendFile(layout.timings, `${JSON.stringify({ at: manifest.builtAt, totalMs, timings })}\n`);
    return { manifest, timings, docker, totalMs };
  } finally {
    await rm(layout.work, { recursive: true, force: true });
    await rm(layout.lock, { force: true });
  }
}

export function statusText(t: PartTiming): string {
  const what = {
    built: 'built',
    cached: 'up to date (cached)',
    loaded: 'loaded into Docker from the cache',
    done: 'done',
    present: 'nothing to do',
  }[t.status];
  return `${what} in ${(t.ms / 1000).toFixed(1)}s${t.detail ? ` — ${t.detail}` : ''}`;
}

/** One build at a time per cache folder: a lock file with the pid, taken over when that process is gone. */
async function takeLock(layout: KindBuildLayout): Promise<void> {
  if (existsSync(layout.lock)) {
    const pid = Number(readFileSync(layout.lock, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && existsSync(`/proc/${pid}`)) {
      throw new Error(`another kind build (pid ${pid}) is running with this cache folder (${layout.lock})`);
    }
  }
  await writeFile(layout.lock, `${process.pid}\n`);
}
