/**
 * What `meshproof --version` says besides its own version: the Istio, Kubernetes and kind releases
 * the cluster targets install, as pinned in istio/install/versions.ts, each environment override
 * named where one is set.
 */
import { CONTROL_PLANE, PINNED, resolveVersions, VERSION_ENV, type Versions } from '../istio/install/versions.js';

export function versionLines(env: NodeJS.ProcessEnv = process.env): string[] {
  const v = resolveVersions({}, env);
  /** `(what, from MESHPROOF_…)`: where the version is used and, when overridden, by which variable. */
  const note = (key: keyof Versions, where?: string) => {
    const parts = [where, v[key] === PINNED[key] ? undefined : `from ${VERSION_ENV[key]}`].filter(Boolean);
    return parts.length ? ` (${parts.join(', ')})` : '';
  };
  return [
    `istio ${v.istio}${note('istio', 'kind, existing')}; ${CONTROL_PLANE.istio} built from source (kwok)`,
    `kubernetes ${nodeImageTag(v.nodeImage)}${note('nodeImage', 'kind node image')}; ` +
      `${CONTROL_PLANE.kubernetes} (kwok)`,
    `kind ${v.kind}${note('kind')}`,
    `gateway-api ${v.gatewayApi}${note('gatewayApi')}`,
  ];
}

/** `kindest/node:v1.36.4@sha256:…` → `v1.36.4`; an image without a tag is shown whole. */
export function nodeImageTag(image: string): string {
  const name = image.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : image;
}
