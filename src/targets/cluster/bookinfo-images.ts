/**
 * Bookinfo images pinned to one registry and tag on every cluster target: Istio's own samples still
 * name a registry that retires.
 */
import type { LoadedObject } from '../../kube/manifest.js';
import { bookinfoImage, type Versions } from '../../istio/install/versions.js';

const BOOKINFO_IMAGE = /(?:^|\/)examples-bookinfo-([a-z0-9-]+?)(?::[^@/]+)?(?:@sha256:[0-9a-f]+)?$/;

/** Rewrites every Bookinfo image to `<bookinfoHub>/examples-bookinfo-<name>:<bookinfoTag>`; returns copies. */
export function pinBookinfoImages(
  objects: readonly LoadedObject[],
  v: Pick<Versions, 'bookinfoHub' | 'bookinfoTag'>,
): LoadedObject[] {
  return objects.map((l) => {
    const containers = l.object.spec?.template?.spec?.containers;
    if (l.object.kind !== 'Deployment' || !Array.isArray(containers)) return l;
    const object = structuredClone(l.object);
    for (const c of object.spec.template.spec.containers as { image?: string }[]) {
      const m = c.image ? BOOKINFO_IMAGE.exec(c.image) : null;
      if (m) c.image = bookinfoImage(v, m[1]!);
    }
    return { object, source: l.source };
  });
}

/** Every image the Deployments of `objects` run. */
export function imagesOf(objects: readonly LoadedObject[]): string[] {
  const out = new Set<string>();
  for (const l of objects) {
    for (const c of (l.object.spec?.template?.spec?.containers ?? []) as { image?: string }[])
      if (c.image) out.add(c.image);
  }
  return [...out];
}
