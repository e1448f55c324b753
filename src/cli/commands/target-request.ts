import type { CliArgs } from '../args.js';
import type { TargetRequest } from '../../targets/select.js';

/** The flags that say which target and how to reach it. */
export function targetRequest(a: CliArgs): TargetRequest {
  return {
    choice: a.target,
    kubeconfig: a.kubeconfig || undefined,
    context: a.context || undefined,
    ingressUrl: a.ingressUrl || undefined,
    clusterName: a.clusterName || undefined,
    hostPort: a.hostPort,
    reuse: a.reuse,
    deployBookinfo: a.deployBookinfo,
    preloadImages: a.preloadImages,
  };
}
