/**
 * What the local mesh stores but does not act on in Gateway API objects: CORS filters (Istio
 * writes a CORS policy; the rehearsal mesh does not check origins) and listeners other than HTTP
 * (no TLS, TCP or UDP listener is served).
 */
import type { KubeObject } from '../kube/manifest.js';
import type { Unsimulated } from './unsimulated.js';

export function gatewayApiNotes(o: KubeObject): Unsimulated[] {
  if (!o.apiVersion.startsWith('gateway.networking.k8s.io/')) return [];
  const notes: Unsimulated[] = [];
  if (o.kind === 'HTTPRoute') {
    ((o.spec?.rules ?? []) as any[]).forEach((r, i) =>
      ((r?.filters ?? []) as any[]).forEach((f, j) => {
        if (f?.type === 'CORS')
          notes.push({
            path: ['spec', 'rules', i, 'filters', j],
            text: `spec.rules[${i}].filters[${j}] (CORS) is not simulated: no origin is checked`,
          });
      }),
    );
  }
  if (o.kind === 'Gateway') {
    ((o.spec?.listeners ?? []) as any[]).forEach((l, i) => {
      if (l?.protocol !== 'HTTP')
        notes.push({
          path: ['spec', 'listeners', i],
          text:
            `spec.listeners[${i}] (${String(l?.protocol)}) is not served: ` +
            'the local mesh serves HTTP listeners only',
        });
    });
  }
  return notes;
}
