/**
 * Command lines of the control plane's processes. Every listener is set to 127.0.0.1 explicitly,
 * because several defaults bind all interfaces (etcd's peer URL, the controller-manager's and the
 * scheduler's secure ports, KWOK's node port when set): a test checks each list.
 */
import { join } from 'node:path';
import type { KwokLayout } from './layout.js';
import { apiserverCertFile, apiserverKeyFile } from './layout.js';
import { LOOPBACK } from '../ports.js';

export interface ControlPlanePorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  /** KWOK's kubelet server (port-forward), which the API server reaches as the node's kubelet. */
  kwok: number;
}

export const PORT_NAMES = ['etcdClient', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'kwok'] as const;

/**
 * Pod addresses KWOK hands out. Not loopback: the API server refuses loopback addresses in
 * EndpointSlices, and istiod builds endpoints from them. Nothing listens on these addresses; the
 * data plane maps each pod IP to the local address its stand-in listens on (data-plane.ts).
 */
export const POD_CIDR = '10.244.0.0/16';
export const NODE_POD_CIDR = '10.244.0.0/24';
export const SERVICE_CIDR = '10.96.0.0/16';
export const FAKE_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

export interface ComponentContext {
  bin: (name: string) => string;
  layout: KwokLayout;
  ports: ControlPlanePorts;
  dataDir: string;
  stagesFile: string;
}

export interface ComponentSpec {
  name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';
  binary: string;
  args: string[];
}

const url = (port: number) => `http://${LOOPBACK}:${port}`;

export function etcdSpec(c: ComponentContext): ComponentSpec {
  const { etcdClient, etcdPeer } = c.ports;
  return {
    name: 'etcd',
    binary: c.bin('etcd'),
    args: [
      '--name=meshproof',
      `--data-dir=${c.dataDir}`,
      `--listen-client-urls=${url(etcdClient)}`,
      `--advertise-client-urls=${url(etcdClient)}`,
      `--listen-peer-urls=${url(etcdPeer)}`,
      `--initial-advertise-peer-urls=${url(etcdPeer)}`,
      `--initial-cluster=meshproof=${url(etcdPeer)}`,
      // A test cluster's data is thrown away on `down`: no fsync, and compaction keeps it small.
      '--unsafe-no-fsync=true',
      '--auto-compaction-retention=1',
      '--log-level=warn',
    ],
  };
}

export function apiserverSpec(c: ComponentContext): ComponentSpec {
  const l = c.layout;
  return {
    name: 'kube-apiserver',
    binary: c.bin('kube-apiserver'),
    args: [
      `--etcd-servers=${url(c.ports.etcdClient)}`,
      `--bind-address=${LOOPBACK}`,
      `--advertise-address=${LOOPBACK}`,
      `--secure-port=${c.ports.apiserver}`,
      `--cert-dir=${l.apiserverCerts}`,
      `--token-auth-file=${l.tokenFile}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${l.saPub}`,
      `--service-account-signing-key-file=${l.saKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--allow-privileged=true',
      // The `kubernetes` Service would get 127.0.0.1 as its endpoint, which the API refuses
      // (endpoints may not be loopback); nothing in the cluster needs it, every client is local.
      '--endpoint-reconciler-type=none',
      // KWOK serves the node's kubelet API (port-forward) on 127.0.0.1 with this same certificate.
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-certificate-authority=${apiserverCertFile(l)}`,
      '--profiling=false',
    ],
  };
}

function delegatedAuth(c: ComponentContext): string[] {
  return [
    `--kubeconfig=${c.layout.kubeconfig}`,
    `--authentication-kubeconfig=${c.layout.kubeconfig}`,
    `--authorization-kubeconfig=${c.layout.kubeconfig}`,
    '--leader-elect=false',
    `--bind-address=${LOOPBACK}`,
  ];
}

export function controllerManagerSpec(c: ComponentContext): ComponentSpec {
  return {
    name: 'kube-controller-manager',
    binary: c.bin('kube-controller-manager'),
    args: [
      ...delegatedAuth(c),
      `--secure-port=${c.ports.controllerManager}`,
      `--cert-dir=${join(c.layout.pki, 'controller-manager')}`,
      `--service-account-private-key-file=${c.layout.saKey}`,
      `--root-ca-file=${apiserverCertFile(c.layout)}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--use-service-account-credentials=false',
      '--profiling=false',
    ],
  };
}

export function schedulerSpec(c: ComponentContext): ComponentSpec {
  return {
    name: 'kube-scheduler',
    binary: c.bin('kube-scheduler'),
    args: [
      ...delegatedAuth(c),
      `--secure-port=${c.ports.scheduler}`,
      `--cert-dir=${join(c.layout.pki, 'scheduler')}`,
      '--profiling=false',
    ],
  };
}

/**
 * KWOK plays the kubelet of fake nodes: it makes nodes Ready and pods Running/Ready with an
 * address from POD_CIDR, and serves the kubelet API on 127.0.0.1 (the node's InternalIP and
 * kubelet port), where a pod's port-forward goes where its PortForward object says: `istioctl
 * proxy-config` reaches a proxy's admin endpoint that way, as on a cluster. It serves with the API
 * server's own certificate, which the API server trusts as the kubelet's CA.
 */
export function kwokSpec(c: ComponentContext): ComponentSpec {
  return {
    name: 'kwok',
    binary: c.bin('kwok'),
    args: [
      `--kubeconfig=${c.layout.kubeconfig}`,
      `--config=${c.stagesFile}`,
      `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION.key}=${FAKE_NODE_ANNOTATION.value}`,
      `--cidr=${POD_CIDR}`,
      `--node-ip=${LOOPBACK}`,
      `--node-port=${c.ports.kwok}`,
      `--server-address=${LOOPBACK}:${c.ports.kwok}`,
      `--tls-cert-file=${apiserverCertFile(c.layout)}`,
      `--tls-private-key-file=${apiserverKeyFile(c.layout)}`,
      '--enable-crds=PortForward',
      '--node-lease-duration-seconds=40',
    ],
  };
}

/** The order they start in; they stop in reverse. */
export function componentSpecs(c: ComponentContext): ComponentSpec[] {
  return [etcdSpec(c), apiserverSpec(c), controllerManagerSpec(c), schedulerSpec(c), kwokSpec(c)];
}

/** A fake node KWOK manages: big enough for Bookinfo and Istio, no taint. */
export function fakeNode(name: string, kubeletVersion: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [FAKE_NODE_ANNOTATION.key]: FAKE_NODE_ANNOTATION.value, 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    spec: { podCIDR: NODE_POD_CIDR, podCIDRs: [NODE_POD_CIDR] },
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion, kubeProxyVersion: kubeletVersion },
    },
  };
}
