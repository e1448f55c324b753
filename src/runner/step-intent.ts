/**
 * What a step asks of the mesh, worked out once per step and handed to settling and the layers:
 * the VirtualServices it leaves in place (an HTTPRoute as those istiod generates, bound to the
 * listeners of the plan's Gateway API Gateways), those listeners (a route read back is converted
 * the same way), and which proxies must hold which of the routes.
 */
import type { KubeObject } from '../kube/manifest.js';
import type { ListenerLookup } from '../istio/gateway-api/httproute-convert.js';
import type { Plan, Step } from '../plan/types.js';
import type { ProxyInfo } from '../targets/target.js';
import { effectiveVirtualServices, planListeners } from './effective-objects.js';
import { relevantProxies, type ProxyDuty } from './relevant-proxies.js';

export interface StepIntent {
  /** The VirtualServices the step leaves in place (effective-objects.ts); none: nothing to settle. */
  routes: KubeObject[];
  /** Listener names of the plan's Gateway API Gateways. */
  listeners: ListenerLookup;
  /**
   * The proxies in a listing that must hold `routes`, each with what it must hold (settling lists them more than once).
   */
  watch(proxies: ProxyInfo[]): ProxyDuty[];
}

export function stepIntent(plan: Plan, step: Step): StepIntent {
  const listeners = planListeners(plan);
  const routes = effectiveVirtualServices(step, plan.namespace, listeners);
  return { routes, listeners, watch: (proxies) => relevantProxies(routes, proxies) };
}
