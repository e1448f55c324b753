import { describe, expect, it } from 'vitest';
import { BootstrapError, parseEnvoyArgs, podPorts, readBootstrap } from './bootstrap.js';
import { authorityPort } from './in-pod-proxy.js';

/** The fields of pilot-agent's rendered bootstrap the in-pod proxy reads (the real file has many more). */
function bootstrap(type = 'sidecar') {
  const cluster = (name: string, address: object) => ({
    name,
    type: 'STATIC',
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address } }] }] },
  });
  const listener = (name: string, port: number, prefix: string, to: string) => ({
    name,
    address: { socket_address: { protocol: 'TCP', address: '0.0.0.0', port_value: port } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              route_config: {
                virtual_hosts: [
                  { name: 'backend', domains: ['*'], routes: [{ match: { prefix }, route: { cluster: to } }] },
                ],
              },
            },
          },
        ],
      },
    ],
  });
  return {
    node: {
      id: `${type}~10.244.0.7~reviews-v1-5b4c9d7f8-abcde.default~default.svc.cluster.local`,
      cluster: 'reviews.default',
      metadata: {
        NAME: 'reviews-v1-5b4c9d7f8-abcde',
        NAMESPACE: 'default',
        POD_PORTS: '[{"containerPort":9080,"protocol":"TCP"}]',
      },
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 15000 } } },
    dynamic_resources: { ads_config: { grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }] } },
    static_resources: {
      clusters: [
        cluster('prometheus_stats', { socket_address: { address: '127.0.0.1', port_value: 15000 } }),
        cluster('agent', { socket_address: { address: '127.0.0.1', port_value: 15020 } }),
        cluster('xds-grpc', { pipe: { path: './etc/istio/proxy/XDS' } }),
      ],
      listeners: [
        listener('0.0.0.0_15090', 15090, '/stats/prometheus', 'prometheus_stats'),
        listener('0.0.0.0_15021', 15021, '/healthz/ready', 'agent'),
      ],
    },
  };
}

describe('the bootstrap pilot-agent writes', () => {
  it('gives the node, role, admin port, xDS socket, static forwards and the app port', () => {
    const b = readBootstrap(bootstrap(), 'envoy-rev.json', '/');
    expect(b).toMatchObject({
      role: 'sidecar',
      podIp: '10.244.0.7',
      adminPort: 15000,
      xdsSocket: '/etc/istio/proxy/XDS',
    });
    expect(b.podPorts).toEqual([9080]);
    expect(b.forwards).toEqual([
      { name: '0.0.0.0_15090', port: 15090, to: { host: '127.0.0.1', port: 15000 } },
      { name: '0.0.0.0_15021', port: 15021, to: { host: '127.0.0.1', port: 15020 } },
    ]);
    expect(readBootstrap(bootstrap('router'), 'f', '/').role).toBe('gateway');
  });

  it('names the file and field it cannot read', () => {
    const noAdmin = { ...bootstrap(), admin: {} };
    expect(() => readBootstrap(noAdmin, '/etc/istio/proxy/envoy-rev.json')).toThrow(
      new BootstrapError('/etc/istio/proxy/envoy-rev.json: admin.address.socket_address.port_value: missing'),
    );
    const odd = { ...bootstrap(), node: { id: 'ztunnel~1.2.3.4~x.y~y.svc' } };
    expect(() => readBootstrap(odd, 'f')).toThrow(/node.id: unknown proxy type "ztunnel"/);
  });

  it('reads POD_PORTS leniently and Envoy command lines as pilot-agent builds them', () => {
    expect(podPorts('[{"containerPort":9080},{"containerPort":53,"protocol":"UDP"}]')).toEqual([9080]);
    expect(podPorts('not json')).toEqual([]);
    expect(
      parseEnvoyArgs(['-c', '/etc/istio/proxy/envoy-rev.json', '--drain-time-s', '45', '--disable-hot-restart']),
    ).toEqual({
      config: '/etc/istio/proxy/envoy-rev.json',
      version: false,
    });
    expect(parseEnvoyArgs(['--version']).version).toBe(true);
  });

  it('routes captured outbound traffic by the port in its Host header', () => {
    expect(authorityPort('reviews:9080')).toBe(9080);
    expect(authorityPort('reviews.default.svc.cluster.local')).toBe(80);
    expect(authorityPort('[::1]:8080')).toBe(8080);
  });
});
