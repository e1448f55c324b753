/** A proxy's xDS resources for tests: empty (nothing received from istiod yet) unless given. */
import type { XdsResources } from '../xds-proxy.js';

export function xdsResources(over: Partial<XdsResources> = {}): XdsResources {
  return {
    listeners: new Map(),
    routes: new Map(),
    clusters: new Map(),
    endpoints: new Map(),
    versions: {},
    receivedAt: {},
    unknownTypes: new Map(),
    ...over,
  };
}
