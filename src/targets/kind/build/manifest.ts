/** What `npm run kind:build` wrote for the kind target and the smoke test (kept apart from the build's code). */
import { existsSync, readFileSync } from 'node:fs';
import { kindBuildLayout } from './layout.js';

/** What a build produced: read by the kind target (later) and scripts/kind-smoke.ts. */
export interface KindBuildManifest {
  kubernetes: string;
  kind: string;
  nodeImage: string;
  /** Paths of built binaries: kind, kubectl, runc-capfilter. */
  kindBinary: string;
  kubectl: string;
  capfilter: string;
  /** The Istio images' hub and tag (pilot, proxyv2) and the Bookinfo stand-ins', for MESHPROOF_KIND_IMAGES=local. */
  istioHub: string;
  istioTag: string;
  bookinfoHub: string;
  bookinfoTag: string;
  /** The built istioctl, the same version as the images. */
  istioctl: string;
  /** The Istio and Bookinfo images, for `kind load image-archive`. */
  meshImages: string;
  /** Holds `gateway-api/<version>/` with the pinned CRD files the control-plane build copied out of their module. */
  gatewayApiDir: string;
  /** Content key of each part. */
  keys: Record<string, string>;
  builtAt: string;
}

/** The manifest of the last build, or null when there has been none. */
export function readKindBuildManifest(cacheDir: string): KindBuildManifest | null {
  const file = kindBuildLayout(cacheDir).manifest;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KindBuildManifest) : null;
}
