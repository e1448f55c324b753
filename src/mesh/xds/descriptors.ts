/**
 * The xDS type registry: Envoy's and Istio's protobuf descriptors as the istiod build wrote them
 * (tools/controlplane/istio/xds-descriptors), read with protobuf-es so that decoding, encoding and
 * the canonical JSON istioctl prints are the library's, for exactly the API version istiod sends.
 */
import { readFileSync } from 'node:fs';
import { createFileRegistry, fromBinary, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { EnvironmentError } from '../../core/errors.js';

export interface XdsTypes {
  registry: FileRegistry;
  request: DescMessage;
  response: DescMessage;
}

const loaded = new Map<string, XdsTypes>();

/** Loads (once per file) the descriptor set at `path`. */
export function xdsTypes(path: string): XdsTypes {
  const hit = loaded.get(path);
  if (hit) return hit;
  let registry: FileRegistry;
  try {
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(path)));
  } catch (err) {
    throw new EnvironmentError(`cannot read the xDS descriptors ${path}: ${(err as Error).message}`, {
      cause: err,
      hint: 'run `npm run controlplane:build` to write them',
    });
  }
  const types = {
    registry,
    request: message(registry, 'envoy.service.discovery.v3.DiscoveryRequest'),
    response: message(registry, 'envoy.service.discovery.v3.DiscoveryResponse'),
  };
  loaded.set(path, types);
  return types;
}

function message(registry: FileRegistry, name: string): DescMessage {
  const m = registry.getMessage(name);
  if (!m) throw new EnvironmentError(`the xDS descriptors have no ${name}`);
  return m;
}
