/**
 * `meshproof doctor` for the chosen target: each implementation's checks, loaded on demand (the
 * cluster checks pull in the Kubernetes client, which the kind checks never need).
 */
import type { DoctorCheck } from './doctor-check.js';
import type { TargetRequest } from './select.js';

export interface DoctorRequest {
  target?: TargetRequest;
  /** kind: the cluster and host port `up` would use. */
  clusterName?: string;
  hostPort?: number;
  /** kind: where the image registry is probed (a mirror, or a loopback stand-in in tests). */
  registryUrl?: string;
}

export async function doctorChecks(r: DoctorRequest): Promise<DoctorCheck[]> {
  const t = r.target;
  if (t?.choice === 'existing') {
    const { existingDoctor } = await import('./existing/doctor.js');
    return existingDoctor({
      kubeconfig: t.kubeconfig || undefined,
      context: t.context || undefined,
      ingressUrl: t.ingressUrl || undefined,
    });
  }
  if (t?.choice === 'kwok') return (await import('./kwok/doctor.js')).kwokDoctor();
  const { doctor } = await import('./kind/doctor.js');
  return doctor({
    clusterName: r.clusterName || undefined,
    hostPort: r.hostPort || undefined,
    registryUrl: r.registryUrl || undefined,
  });
}
