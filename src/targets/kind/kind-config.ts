/**
 * The kind cluster config meshproof creates: one control-plane node from the pinned image (by
 * digest), with the ingress gateway's fixed NodePort mapped to an unprivileged port on the host's
 * loopback only (port mappings cannot change after creation; 80/443 would need root or collide).
 */
import { stringify } from 'yaml';
import { DEFAULT_HTTP_NODE_PORT } from '../../istio/install/overlay.js';
import { DEFAULT_GATEWAY_API_HOST_PORT, GATEWAY_API_NODE_PORT } from './gateway-api.js';

export const DEFAULT_CLUSTER_NAME = 'meshproof';
export const DEFAULT_HOST_PORT = 18080;

export interface KindConfigOptions {
  nodeImage: string;
  /** Host port on 127.0.0.1 that reaches the gateway. Default 18080. */
  hostPort?: number;
  /** Node port of the gateway's http2 port; must equal the overlay's. Default 30080. */
  nodePort?: number;
  /** Address the host port binds. Default 127.0.0.1 (not exposed to the network). */
  listenAddress?: string;
  /** Host port that reaches a Gateway API Gateway's own gateway (node port 30081). Default 18081. */
  gatewayApiHostPort?: number;
}

export function kindConfig(opts: KindConfigOptions): Record<string, unknown> {
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    nodes: [
      {
        role: 'control-plane',
        image: opts.nodeImage,
        extraPortMappings: [
          {
            containerPort: opts.nodePort ?? DEFAULT_HTTP_NODE_PORT,
            hostPort: opts.hostPort ?? DEFAULT_HOST_PORT,
            listenAddress: opts.listenAddress ?? '127.0.0.1',
            protocol: 'TCP',
          },
          {
            containerPort: GATEWAY_API_NODE_PORT,
            hostPort: opts.gatewayApiHostPort ?? DEFAULT_GATEWAY_API_HOST_PORT,
            listenAddress: opts.listenAddress ?? '127.0.0.1',
            protocol: 'TCP',
          },
        ],
      },
    ],
  };
}

export function kindConfigYaml(opts: KindConfigOptions): string {
  return stringify(kindConfig(opts));
}
