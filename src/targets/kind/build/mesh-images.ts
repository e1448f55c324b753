/**
 * The Istio and Bookinfo images of the kind cluster, built here (no registry is needed):
 *
 * - `pilot`: the real pilot-discovery.
 * - `proxyv2`: the real pilot-agent as entrypoint (so the injected sidecar's bootstrap, SDS, status
 *   port 15021 and the init container's `istio-iptables` are Istio's own) and, as
 *   `/usr/local/bin/envoy`, meshproof's in-pod proxy, which plays Envoy's part (src/mesh/in-pod).
 * - `examples-bookinfo-<service>-<version>`: the stand-in apps, one image per name the manifests use.
 *
 * All `FROM` one Debian root file system with Node and iptables, imported once. The Go binaries
 * come from the kwok target's build of tools/controlplane/istio (one Go build, shared cache); the
 * bootstrap template pilot-agent renders is read from the same istio.io/istio module version. The
 * images are saved together as mesh-images.tar for `kind load image-archive`.
 */
import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import { contentKey, type KeyInput, type Produced } from './cache.js';
import { docker, run, type BuildContext } from './context.js';
import { IMAGE_NAMES, KEY_LABEL, NODE_PINS } from './pins.js';
import { makeRootfs, rootfsTarArgs } from './rootfs.js';
import { MESH_PACKAGES } from './debian-packages.js';

/** The Bookinfo images the shipped manifests name, as `<service>-<version>`. */
export const BOOKINFO_STAND_INS = [
  'productpage-v1',
  'details-v1',
  'ratings-v1',
  'reviews-v1',
  'reviews-v2',
  'reviews-v3',
] as const;

/** Where the proxy finds the xDS descriptors (src/mesh/in-pod/envoy-main.ts reads the same path). */
const DESCRIPTORS_IN_IMAGE = '/usr/local/share/meshproof/xds-descriptors.binpb';

export interface MeshImageSources {
  /** Keys of the parts the inputs come from. */
  keys: Record<string, string>;
  /**
   * pilot-agent, pilot-discovery, istioctl, xds-descriptors.binpb and the Gateway API CRDs, from the control-plane
   * build (in a project's cache); istioctl and the CRDs are kept with the images, so the build stands on its own.
   */
  istioBin: { pilotAgent: string; pilotDiscovery: string; descriptors: string; istioctl: string };
  /** The Gateway API CRD files, relative path → absolute path (under `gateway-api/<version>/`). */
  gatewayApiFiles: Record<string, string>;
  /** Istio's envoy_bootstrap.json from the istio.io/istio module. */
  bootstrapTemplate: string;
  /** The bundled in-pod programs. */
  bundle: { envoy: string; app: string };
  /** The debs-mesh part's folder. */
  meshDebs: string;
}

export interface MeshImages extends Produced {
  archive: string;
  /** Kept copies: the istioctl of the same version, and the folder holding `gateway-api/<version>/`. */
  istioctl: string;
  gatewayApiDir: string;
  hub: string;
  tag: string;
  refs: string[];
}

export interface MeshImageSpec {
  ref: string;
  /** Files copied into the build context: source path → path in the image. */
  files: [string, string, number?][];
  lines: string[];
}

export function meshImageSpecs(hub: string, tag: string, src: MeshImageSources): MeshImageSpec[] {
  const bin = src.istioBin;
  const specs: MeshImageSpec[] = [
    {
      ref: `${hub}/pilot:${tag}`,
      files: [[bin.pilotDiscovery, '/usr/local/bin/pilot-discovery', 0o755]],
      lines: ['USER 1337:1337', 'ENTRYPOINT ["/usr/local/bin/pilot-discovery"]'],
    },
    {
      ref: `${hub}/proxyv2:${tag}`,
      files: [
        [bin.pilotAgent, '/usr/local/bin/pilot-agent', 0o755],
        [src.bundle.envoy, '/usr/local/lib/meshproof/envoy.cjs'],
        [bin.descriptors, DESCRIPTORS_IN_IMAGE],
        [src.bootstrapTemplate, '/var/lib/istio/envoy/envoy_bootstrap_tmpl.json'],
      ],
      lines: [
        // pilot-agent runs /usr/local/bin/envoy; this one hands the command line to the in-pod proxy.
        'COPY envoy /usr/local/bin/envoy',
        `ENV ISTIO_META_ISTIO_PROXY_SHA=meshproof-in-pod-proxy MESHPROOF_XDS_DESCRIPTORS=${DESCRIPTORS_IN_IMAGE}`,
        'ENTRYPOINT ["/usr/local/bin/pilot-agent"]',
      ],
    },
  ];
  for (const name of BOOKINFO_STAND_INS)
    specs.push({
      ref: `${hub}/examples-bookinfo-${name}:${tag}`,
      files: [[src.bundle.app, '/opt/meshproof/app.cjs']],
      lines: [
        `ENV MESHPROOF_APP_IMAGE=examples-bookinfo-${name}`,
        'EXPOSE 9080',
        'USER 1000:1000',
        'ENTRYPOINT ["/usr/bin/node", "/opt/meshproof/app.cjs"]',
      ],
    });
  return specs;
}

export const ENVOY_SHIM = '#!/bin/sh\nexec /usr/bin/node /usr/local/lib/meshproof/envoy.cjs "$@"\n';

export function meshDockerfile(from: string, spec: MeshImageSpec): string {
  return [`FROM ${from}`, ...spec.files.map(([, dest], i) => `COPY f${i} ${dest}`), ...spec.lines, ''].join('\n');
}

const SELF = fileURLToPath(import.meta.url);

export function meshImagesInputs(src: MeshImageSources): KeyInput[] {
  return [
    ...Object.entries(src.keys)
      .sort()
      .map(([part, key]) => [`part:${part}`, key] as const),
    ['pilot-agent', readFileSync(src.istioBin.pilotAgent)],
    ['pilot-discovery', readFileSync(src.istioBin.pilotDiscovery)],
    ['descriptors', readFileSync(src.istioBin.descriptors)],
    ['istioctl', readFileSync(src.istioBin.istioctl)],
    ...Object.entries(src.gatewayApiFiles)
      .sort()
      .map(([rel, abs]) => [`crd:${rel}`, readFileSync(abs)] as const),
    ['bootstrap', readFileSync(src.bootstrapTemplate)],
    ['envoy.cjs', readFileSync(src.bundle.envoy)],
    ['app.cjs', readFileSync(src.bundle.app)],
    ['envoy-shim', ENVOY_SHIM],
    ['recipe', readFileSync(SELF)],
  ];
}

export const MESH_ARCHIVE = 'mesh-images.tar';

export async function buildMeshImages(ctx: BuildContext, src: MeshImageSources): Promise<MeshImages> {
  const inputs = meshImagesInputs(src);
  const key12 = contentKey(inputs).slice(0, 12);
  const hub = IMAGE_NAMES.meshHub;
  const tag = `${CONTROL_PLANE.istio}-${key12}`;
  const specs = meshImageSpecs(hub, tag, src);
  const p = await ctx.store.produce('mesh-images', inputs, async (dir) => {
    const base = `${IMAGE_NAMES.meshBase}:${NODE_PINS.suite}-${key12}`;
    const rootfs = join(ctx.layout.work, 'mesh-rootfs');
    const tar = join(ctx.layout.work, 'mesh-rootfs.tar');
    ctx.say(`making the mesh images' root file system (${MESH_PACKAGES.packages.join(', ')}) from the kept packages`);
    await makeRootfs(ctx, MESH_PACKAGES, src.meshDebs, rootfs);
    await run(ctx, 'tar', rootfsTarArgs(rootfs, tar));
    await rm(rootfs, { recursive: true, force: true });
    await docker(ctx, ['import', '--change', `LABEL ${KEY_LABEL}=${key12}`, tar, base]);
    await rm(tar, { force: true });
    for (const spec of specs) {
      const context = join(ctx.layout.work, 'mesh-image');
      await rm(context, { recursive: true, force: true });
      await mkdir(context, { recursive: true });
      for (const [i, [from, , mode]] of spec.files.entries()) {
        await copyFile(from, join(context, `f${i}`));
        await chmod(join(context, `f${i}`), mode ?? 0o644);
      }
      await writeFile(join(context, 'envoy'), ENVOY_SHIM, { mode: 0o755 });
      await writeFile(join(context, 'Dockerfile'), meshDockerfile(base, spec));
      await docker(ctx, ['build', '--quiet', '--label', `${KEY_LABEL}=${key12}`, '--tag', spec.ref, context]);
      await rm(context, { recursive: true, force: true });
      ctx.say(`built ${spec.ref}`);
    }
    await docker(ctx, ['save', '--output', join(dir, MESH_ARCHIVE), ...specs.map((s) => s.ref)]);
    await copyFile(src.istioBin.istioctl, join(dir, 'istioctl'));
    await chmod(join(dir, 'istioctl'), 0o755);
    for (const [rel, abs] of Object.entries(src.gatewayApiFiles)) {
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await copyFile(abs, join(dir, rel));
    }
    await writeFile(
      join(dir, 'images.json'),
      `${JSON.stringify({ base, hub, tag, images: specs.map((s) => s.ref) }, null, 2)}\n`,
    );
  });
  return {
    ...p,
    archive: join(p.dir, MESH_ARCHIVE),
    istioctl: join(p.dir, 'istioctl'),
    gatewayApiDir: p.dir,
    hub,
    tag,
    refs: specs.map((s) => s.ref),
  };
}
