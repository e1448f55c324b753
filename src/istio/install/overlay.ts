/**
 * The IstioOperator overlay `istioctl install -f` gets for a kind cluster (research/kind-istio.md
 * §1.4): the demo profile (small resource requests, Bookinfo's documented profile), images from
 * the pinned hub and tag, no egress gateway, and the ingress gateway as a NodePort Service whose
 * http2 port is fixed so the kind config can map it to the host before the cluster exists.
 */
import { stringify } from 'yaml';
import type { Versions } from './versions.js';

export interface OverlayOptions {
  /** Node port the kind config maps to the host for http2 (port 80). Default 30080. */
  httpNodePort?: number;
  /** Node port for https (port 443). Default 30443. */
  httpsNodePort?: number;
  /**
   * Webhook URLs for an istiod outside the cluster (Istio's remote-istiod values): the API server
   * calls these instead of the `istiod` Service. The kwok target runs istiod as a local process.
   */
  webhooks?: { injection: string; validation: string };
}

export const DEFAULT_HTTP_NODE_PORT = 30080;
export const DEFAULT_HTTPS_NODE_PORT = 30443;
export const DEFAULT_STATUS_NODE_PORT = 30021;

export function istioOperatorOverlay(
  v: Pick<Versions, 'istio' | 'istioHub'>,
  opts: OverlayOptions = {},
): Record<string, unknown> {
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    spec: {
      profile: 'demo',
      hub: v.istioHub,
      tag: v.istio,
      values: opts.webhooks
        ? {
            istiodRemote: { injectionURL: opts.webhooks.injection },
            base: { validationURL: opts.webhooks.validation },
          }
        : undefined,
      components: {
        egressGateways: [{ name: 'istio-egressgateway', enabled: false }],
        ingressGateways: [
          {
            name: 'istio-ingressgateway',
            enabled: true,
            k8s: {
              service: {
                type: 'NodePort',
                // The list replaces the chart's ports, so it is complete. Target ports stay ≥ 1024
                // (8080/8443) because Istio refuses lower ones unless the gateway runs as root.
                ports: [
                  // Every port's node port fixed: a random one could take 30443 before https asks for it.
                  { name: 'status-port', port: 15021, targetPort: 15021, nodePort: DEFAULT_STATUS_NODE_PORT },
                  { name: 'http2', port: 80, targetPort: 8080, nodePort: opts.httpNodePort ?? DEFAULT_HTTP_NODE_PORT },
                  {
                    name: 'https',
                    port: 443,
                    targetPort: 8443,
                    nodePort: opts.httpsNodePort ?? DEFAULT_HTTPS_NODE_PORT,
                  },
                ],
              },
            },
          },
        ],
      },
    },
  };
}

export function istioOperatorOverlayYaml(v: Pick<Versions, 'istio' | 'istioHub'>, opts: OverlayOptions = {}): string {
  return stringify(istioOperatorOverlay(v, opts));
}
