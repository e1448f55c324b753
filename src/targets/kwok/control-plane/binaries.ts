/**
 * The kwok target's binaries: which Go module builds each one, the version strings set by
 * ldflags, and the stamp that says a folder holds binaries built from the pinned go.mod files.
 * The Go modules live in tools/controlplane/ (README "The kwok target").
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_API_STANDARD_FILES } from '../../../istio/install/gateway-api-pins.js';
import { CONTROL_PLANE, PINNED } from '../../../istio/install/versions.js';
import { projectRoot } from '../../../core/paths.js';

export interface GoBinary {
  /** File name in the bin folder. */
  name: string;
  /** Main package. */
  pkg: string;
}

export interface GoToolModule {
  /** `k8s` or `istio`: the folder under tools/controlplane. */
  id: string;
  dir: string;
  binaries: GoBinary[];
  /** Files the build writes beside the binaries (from the module, or made by a built helper). */
  files: string[];
  ldflags: string[];
}

export const TOOLS_DIR = join(projectRoot, 'tools', 'controlplane');

const K8S_VERSION_PKG = 'k8s.io/component-base/version';
const ISTIO_VERSION_PKG = 'istio.io/istio/pkg/version';

function k8sLdflags(): string[] {
  const v = CONTROL_PLANE.kubernetes;
  const [major, minor] = v.replace(/^v/, '').split('.');
  return [
    `-X ${K8S_VERSION_PKG}.gitVersion=${v}`,
    `-X ${K8S_VERSION_PKG}.gitMajor=${major}`,
    `-X ${K8S_VERSION_PKG}.gitMinor=${minor}`,
    `-X ${K8S_VERSION_PKG}.gitTreeState=clean`,
    `-X k8s.io/client-go/pkg/version.gitVersion=${v}`,
    `-X sigs.k8s.io/kwok/pkg/consts.Version=${CONTROL_PLANE.kwok}`,
    `-X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${v}`,
  ];
}

function istioLdflags(): string[] {
  const rev = CONTROL_PLANE.istioModule.split('-').at(-1)!;
  return [
    `-X ${ISTIO_VERSION_PKG}.buildVersion=${CONTROL_PLANE.istio}`,
    `-X ${ISTIO_VERSION_PKG}.buildGitRevision=${rev}`,
    `-X ${ISTIO_VERSION_PKG}.buildStatus=Clean`,
    `-X ${ISTIO_VERSION_PKG}.buildTag=${CONTROL_PLANE.istio}`,
    `-X ${ISTIO_VERSION_PKG}.buildHub=docker.io/istio`,
  ];
}

export function toolModules(toolsDir = TOOLS_DIR): GoToolModule[] {
  return [
    {
      id: 'k8s',
      dir: join(toolsDir, 'k8s'),
      binaries: [
        { name: 'kube-apiserver', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver' },
        { name: 'kube-controller-manager', pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager' },
        { name: 'kube-scheduler', pkg: 'k8s.io/kubernetes/cmd/kube-scheduler' },
        { name: 'kubectl', pkg: 'k8s.io/kubernetes/cmd/kubectl' },
        // etcd's version comes from a constant in its own module; no ldflags needed.
        { name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3' },
        { name: 'kwok', pkg: 'sigs.k8s.io/kwok/cmd/kwok' },
      ],
      files: [KWOK_STAGES_FILE, KWOK_CRDS_FILE],
      ldflags: k8sLdflags(),
    },
    {
      id: 'istio',
      dir: join(toolsDir, 'istio'),
      binaries: [
        { name: 'istioctl', pkg: 'istio.io/istio/istioctl/cmd/istioctl' },
        { name: 'pilot-discovery', pkg: 'istio.io/istio/pilot/cmd/pilot-discovery' },
        // The kind target's proxyv2 image runs the real pilot-agent (kind build, mesh-images.ts).
        { name: 'pilot-agent', pkg: 'istio.io/istio/pilot/cmd/pilot-agent' },
        // This module's own helper (xds-descriptors/): the protobuf descriptors istiod's xDS uses.
        { name: 'xds-descriptors', pkg: 'meshproof.invalid/controlplane/istio/xds-descriptors' },
      ],
      files: [XDS_DESCRIPTORS_FILE, ...gatewayApiFiles()],
      ldflags: istioLdflags(),
    },
  ];
}

/** KWOK's stage files, copied out of its module at build time (v0.8.0 has no built-in stages). */
export const KWOK_STAGES_FILE = 'kwok-stages.yaml';
/** KWOK's PortForward CRD, copied out of its module; applied before KWOK starts. */
export const KWOK_CRDS_FILE = 'kwok-crds.yaml';
export const KWOK_CRD_PATHS = ['kustomize/crd/bases/kwok.x-k8s.io_portforwards.yaml'];
/**
 * The pinned Gateway API CRD files, copied at build time out of the Go module
 * sigs.k8s.io/gateway-api at the pinned version (checked by the Go checksum database on download,
 * and against the pins when applied), into `gateway-api/<version>/` under the bin folder.
 */
export function gatewayApiFiles(version = PINNED.gatewayApi): string[] {
  return (GATEWAY_API_STANDARD_FILES[version] ?? []).map((p) => join('gateway-api', version, p.file));
}

/** What `xds-descriptors` writes: a binary FileDescriptorSet of the xDS types istiod sends. */
export const XDS_DESCRIPTORS_FILE = 'xds-descriptors.binpb';
export const KWOK_STAGE_PATHS = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
];

export function binDir(cacheDir: string): string {
  return join(cacheDir, 'bin');
}

export function stampPath(cacheDir: string, m: Pick<GoToolModule, 'id'>): string {
  return join(binDir(cacheDir), `.${m.id}.stamp`);
}

/** What a build depends on: the module's go.mod and go.sum and the ldflags. Same key, same binaries. */
export function buildKey(m: GoToolModule): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum']) h.update(readFileSync(join(m.dir, f)));
  h.update(m.ldflags.join('\n'));
  h.update(m.binaries.map((b) => `${b.name}=${b.pkg}`).join('\n'));
  h.update(m.files.join('\n'));
  // The module's own Go sources (the helpers) count too.
  for (const f of ownSources(m.dir)) h.update(`${f}\n`).update(readFileSync(join(m.dir, f)));
  return h.digest('hex');
}

/** Binaries of `m` missing from the bin folder, or all of them when the stamp is not this build's. */
export function staleBinaries(cacheDir: string, m: GoToolModule): string[] {
  const all = [...m.binaries.map((b) => b.name), ...m.files];
  const stamp = stampPath(cacheDir, m);
  if (!existsSync(stamp)) return all;
  try {
    const recorded = JSON.parse(readFileSync(stamp, 'utf8')) as { key?: string };
    if (recorded.key !== buildKey(m)) return all;
  } catch {
    return all;
  }
  return all.filter((n) => !existsSync(join(binDir(cacheDir), n)));
}

/** Path of a built binary. */
export function binary(cacheDir: string, name: string): string {
  return join(binDir(cacheDir), name);
}

/** Go files of the wrapper module itself (its helper commands), relative to its folder, sorted. */
function ownSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.go')).sort();
}
