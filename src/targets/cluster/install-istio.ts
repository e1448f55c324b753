/**
 * Installing Istio with istioctl and the pinned overlay, unless istiod already runs the pinned
 * version (or the install is to be reused), then waiting for istiod and the ingress gateway.
 * Shared by the targets that install Istio (kind, kwok).
 */
import { writeFile } from 'node:fs/promises';
import { EnvironmentError } from '../../core/errors.js';
import { istioOperatorOverlayYaml, type OverlayOptions } from '../../istio/install/overlay.js';
import type { Versions } from '../../istio/install/versions.js';
import { note, phase } from '../phase.js';
import type { UpEmit } from '../target.js';
import { ISTIO_NAMESPACE } from './cluster-target.js';
import type { ClusterConnection } from './connection.js';
import { waitForDeployments } from './deploy-base.js';

export interface IstioInstall {
  versions: Pick<Versions, 'istio' | 'istioHub'>;
  overlayFile: string;
  overlay: OverlayOptions;
  /** Keep an installed Istio even when its version differs from the pin. */
  reuse: boolean;
  installMs: number;
  rolloutMs: number;
}

export async function installIstioWith(
  cluster: ClusterConnection,
  o: IstioInstall,
  status: UpEmit,
  signal?: AbortSignal,
): Promise<void> {
  const istiod = await cluster.kube.get({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'istiod',
    namespace: ISTIO_NAMESPACE,
  });
  const image: string = istiod?.spec?.template?.spec?.containers?.[0]?.image ?? '';
  const current = istiod ? (/:([^:@/]+)(?:@.*)?$/.exec(image)?.[1] ?? 'unknown') : null;
  const pinned = o.versions.istio;
  if (current && (current === pinned || o.reuse)) {
    note(
      status,
      `Istio ${current} already installed${current === pinned ? '' : ` (pinned: ${pinned}; kept because of --reuse)`}`,
    );
  } else {
    const istioctl = cluster.istioctl;
    if (!istioctl)
      throw new EnvironmentError(`cannot install Istio ${pinned}: no istioctl is connected to this cluster`);
    // Precheck exits non-zero on mere warnings: what it says is shown, the install decides.
    const pre = await istioctl.precheck(signal ? { signal } : {});
    if (pre.exitCode !== 0) {
      const said = (pre.stderr || pre.stdout).trim().split('\n').slice(-3).join(' | ');
      note(status, `istioctl x precheck: ${said || `exit ${pre.exitCode}`}`, 'warn');
    }
    await writeFile(o.overlayFile, istioOperatorOverlayYaml(o.versions, o.overlay));
    await phase(status, `install Istio ${pinned}${current ? ` (replacing ${current})` : ''}`, () =>
      istioctl.install(o.overlayFile, { timeoutMs: o.installMs, signal }),
    );
  }
  await phase(status, 'wait for istiod and the ingress gateway', () =>
    waitForDeployments(cluster, ISTIO_NAMESPACE, ['istiod', 'istio-ingressgateway'], o.rolloutMs, signal),
  );
}
