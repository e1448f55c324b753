/**
 * Who calls whom in Bookinfo. A mesh VirtualService is applied by the caller's sidecar, so a new
 * route for a service counts as settled only when every calling workload's proxies hold it:
 * `reviews` routes live in productpage's sidecars, `ratings` routes in productpage's (for
 * /api/v1/products/<id>/ratings) and in reviews v2/v3's (v1 never calls ratings).
 * productpage is called by the ingress gateway, which applies only VirtualServices bound to its
 * Gateway, not mesh-wide ones.
 */

/** The `app` label of istioctl's ingress gateway pods (they also carry `istio: ingressgateway`). */
export const INGRESS_GATEWAY_APP = 'istio-ingressgateway';

export interface Caller {
  app: string;
  /** Only these `version` labels of the app call the service; absent = every version. */
  versions?: string[];
}

const CALLERS: Record<string, Caller[]> = {
  productpage: [{ app: INGRESS_GATEWAY_APP }],
  details: [{ app: 'productpage' }],
  reviews: [{ app: 'productpage' }],
  ratings: [{ app: 'productpage' }, { app: 'reviews', versions: ['v2', 'v3'] }],
};

/** Whether `service` (a short or a cluster name) is one of Bookinfo's, whose callers are known. */
export function isBookinfoService(service: string): boolean {
  return (service.trim().toLowerCase().split('.')[0] ?? '') in CALLERS;
}

/**
 * The workloads that call `service`. Accepts a short name or a cluster name
 * (`reviews.default.svc.cluster.local`); an unknown service has no callers.
 */
export function callersOf(service: string): { app: string; versions?: string[] }[] {
  const short = service.trim().toLowerCase().split('.')[0] ?? '';
  return (CALLERS[short] ?? []).map((c) => (c.versions ? { app: c.app, versions: [...c.versions] } : { app: c.app }));
}
