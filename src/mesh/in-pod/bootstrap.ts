/**
 * What the in-pod proxy needs from the bootstrap pilot-agent writes for Envoy
 * (`/etc/istio/proxy/envoy-rev.json`, from Istio's envoy_bootstrap.json template): the node to
 * present to istiod, the admin port, the xDS server (a unix socket pilot-agent serves and proxies
 * to istiod with the workload's certificate), and the static listeners (readiness on 15021 to the
 * agent, Prometheus on 15090 to the admin port), each reduced to "this port forwards to that
 * address". The file is Envoy's JSON, snake_case field names.
 */
import { isAbsolute, resolve } from 'node:path';

type Json = Record<string, any>;

export interface StaticForward {
  name: string;
  port: number;
  /** The static cluster's first endpoint. */
  to: { host: string; port: number };
}

export interface Bootstrap {
  node: Json & { id: string };
  role: 'sidecar' | 'gateway';
  /** The pod's IP, from the node id (`sidecar~10.244.0.7~reviews-v1-….default~…`). */
  podIp: string;
  adminPort: number;
  /** Absolute path of the xDS socket. */
  xdsSocket: string;
  forwards: StaticForward[];
  /** The app container's ports, from the POD_PORTS metadata pilot-agent fills from the pod spec. */
  podPorts: number[];
}

export class BootstrapError extends Error {}

/** Reads a parsed bootstrap; `cwd` resolves the relative socket path (pilot-agent starts Envoy in `/`). */
export function readBootstrap(b: Json, file: string, cwd = '/'): Bootstrap {
  const fail = (field: string, why: string) => new BootstrapError(`${file}: ${field}: ${why}`);
  const node = b.node;
  if (typeof node?.id !== 'string') throw fail('node.id', 'missing');
  const [type, podIp] = node.id.split('~');
  if (type !== 'sidecar' && type !== 'router') throw fail('node.id', `unknown proxy type "${type}" in ${node.id}`);
  const adminPort = Number(b.admin?.address?.socket_address?.port_value);
  if (!Number.isInteger(adminPort) || adminPort <= 0) throw fail('admin.address.socket_address.port_value', 'missing');
  const clusters = new Map<string, Json>(
    ((b.static_resources?.clusters ?? []) as Json[]).map((c) => [String(c.name), c]),
  );
  const xdsName = b.dynamic_resources?.ads_config?.grpc_services?.[0]?.envoy_grpc?.cluster_name ?? 'xds-grpc';
  const pipe = firstEndpoint(clusters.get(xdsName))?.pipe?.path;
  if (typeof pipe !== 'string') throw fail(`static_resources.clusters[${xdsName}]`, 'no pipe endpoint');
  return {
    node,
    role: type === 'router' ? 'gateway' : 'sidecar',
    podIp: podIp ?? '',
    adminPort,
    xdsSocket: isAbsolute(pipe) ? pipe : resolve(cwd, pipe),
    forwards: staticForwards(b, clusters),
    podPorts: podPorts(node.metadata?.POD_PORTS),
  };
}

function firstEndpoint(cluster: Json | undefined): Json | undefined {
  return cluster?.load_assignment?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address;
}

/** Each static listener whose routes all lead to one static cluster with a socket address. */
function staticForwards(b: Json, clusters: Map<string, Json>): StaticForward[] {
  const out: StaticForward[] = [];
  for (const l of (b.static_resources?.listeners ?? []) as Json[]) {
    const port = Number(l.address?.socket_address?.port_value);
    const hcm = l.filter_chains?.[0]?.filters?.[0]?.typed_config;
    const routes = ((hcm?.route_config?.virtual_hosts ?? []) as Json[]).flatMap((v) => (v.routes ?? []) as Json[]);
    const names = new Set(routes.map((r) => r.route?.cluster).filter((c) => typeof c === 'string'));
    if (!Number.isInteger(port) || names.size !== 1) continue;
    const sock = firstEndpoint(clusters.get(String([...names][0])))?.socket_address;
    if (!sock) continue;
    out.push({ name: String(l.name), port, to: { host: String(sock.address), port: Number(sock.port_value) } });
  }
  return out;
}

/** POD_PORTS is a JSON string: `[{"containerPort":9080,"protocol":"TCP"}]`. */
export function podPorts(raw: unknown): number[] {
  if (typeof raw !== 'string' || !raw) return [];
  try {
    const list = JSON.parse(raw) as { containerPort?: number; protocol?: string }[];
    return list
      .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
      .map((p) => Number(p.containerPort))
      .filter((p) => Number.isInteger(p) && p > 0);
  } catch {
    return [];
  }
}

/** Envoy's command line as pilot-agent builds it: the bootstrap file and the flags it may add. */
export interface EnvoyArgs {
  config?: string;
  /** `--config-yaml`: a JSON/YAML document merged over the file (ISTIO_BOOTSTRAP_OVERRIDE). */
  configOverride?: string;
  version: boolean;
}

export function parseEnvoyArgs(argv: readonly string[]): EnvoyArgs {
  const out: EnvoyArgs = { version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--version') out.version = true;
    else if (a === '-c' || a === '--config-path') out.config = argv[++i];
    else if (a === '--config-yaml') out.configOverride = argv[++i];
  }
  return out;
}
