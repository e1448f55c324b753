/**
 * `MESHPROOF_KIND_IMAGES=local`: the kind target uses what `npm run kind:build` made — its node
 * image, kind and istioctl binaries, and the Istio and Bookinfo images loaded into the node from
 * the build's archive — and nothing is pulled or downloaded. Set by CI on a machine with no registry;
 * never the default.
 */
import { EnvironmentError } from '../../core/errors.js';
import type { Versions } from '../../istio/install/versions.js';
import { readKindBuildManifest, type KindBuildManifest } from './build/manifest.js';

export const LOCAL_IMAGES_ENV = 'MESHPROOF_KIND_IMAGES';

/** What a report on this setup says is real and what stands in (research/kind-here.md, "The in-pod proxy"). */
export const LOCAL_BUILD_NOTE =
  "kind, Kubernetes, istiod, pilot-agent and iptables real; Envoy's part played by meshproof's in-pod proxy " +
  '(no mTLS between sidecars); Bookinfo stand-ins';

const BUILD_HINT = 'run `npm run kind:build` first (as root: it needs debootstrap and dockerd)';

/** Whether the environment asks for the local build; throws on a value it does not know. */
export function localImagesRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[LOCAL_IMAGES_ENV];
  if (v === undefined || v === '') return false;
  if (v === 'local') return true;
  throw new EnvironmentError(`${LOCAL_IMAGES_ENV}=${JSON.stringify(v)}: the only value is "local"`, {
    hint: `unset ${LOCAL_IMAGES_ENV} to use the official images`,
  });
}

/** The last kind build's manifest, complete enough for the kind target; throws with the fix otherwise. */
export function readLocalImages(dir: string): KindBuildManifest {
  const m = readKindBuildManifest(dir);
  if (!m) throw new EnvironmentError(`${LOCAL_IMAGES_ENV}=local, but ${dir} holds no kind build`, { hint: BUILD_HINT });
  if (!m.meshImages || !m.istioTag || !m.gatewayApiDir)
    throw new EnvironmentError(
      `${LOCAL_IMAGES_ENV}=local, but the kind build in ${dir} predates its Istio and Bookinfo images`,
      { hint: BUILD_HINT },
    );
  return m;
}

/** The versions the local build pins: its node image, and its images' hub and tag as Istio's and Bookinfo's. */
export function localVersions(m: KindBuildManifest): Partial<Versions> {
  return {
    nodeImage: m.nodeImage,
    istioHub: m.istioHub,
    istio: m.istioTag,
    bookinfoHub: m.bookinfoHub,
    bookinfoTag: m.bookinfoTag,
  };
}
