import type { CliArgs } from '../args.js';
import type { TargetRequest } from '../../targets/select.js';

/** The flags that say which target and how to reach it. */
export function targetRequest(a: CliArgs): TargetRequest {
  return {
    choice: a.target,
    ...(a.kubeconfig ? { kubeconfig: a.kubeconfig } : {}),
    ...(a.context ? { context: a.context } : {}),
    ...(a.ingressUrl ? { ingressUrl: a.ingressUrl } : {}),
    ...(a.clusterName ? { clusterName: a.clusterName } : {}),
    ...(a.hostPort !== undefined ? { hostPort: a.hostPort } : {}),
    reuse: a.reuse,
    deployBookinfo: a.deployBookinfo,
    preloadImages: a.preloadImages,
  };
}
