import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadManifestFile } from '../../kube/manifest.js';
import { projectRoot } from '../../core/paths.js';
import { nodePortParameters, withNodePortParameters } from './gateway-api.js';

describe('a Gateway API Gateway on kind', () => {
  it('gets a ConfigMap, applied just before, making its Service a NodePort on 30081, and a parametersRef', async () => {
    const objects = await loadManifestFile(join(projectRoot, 'manifests', 'gateway-api', 'bookinfo-gateway.yaml'));
    const { batch, added } = withNodePortParameters(objects);
    expect(batch.map((l) => l.object.kind)).toEqual(['ConfigMap', 'Gateway', 'HTTPRoute']);
    expect([...added]).toEqual([batch[0]]);
    expect(batch[0]!.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bookinfo-gateway-meshproof-kind', labels: { 'app.kubernetes.io/managed-by': 'meshproof' } },
      data: { service: JSON.stringify({ spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] } }) },
    });
    expect(batch[1]!.object.spec.infrastructure).toEqual({
      parametersRef: { group: '', kind: 'ConfigMap', name: 'bookinfo-gateway-meshproof-kind' },
    });
    // The manifest itself is left as written.
    expect(objects[0]!.object.spec.infrastructure).toBeUndefined();
    expect(batch[2]).toBe(objects[1]);
  });

  it('leaves a Gateway with its own parameters, and any other class, as they are', async () => {
    const [gw] = await loadManifestFile(join(projectRoot, 'manifests', 'gateway-api', 'bookinfo-gateway.yaml'));
    const own = {
      ...gw!,
      object: {
        ...gw!.object,
        spec: { ...gw!.object.spec, infrastructure: { parametersRef: { group: '', kind: 'ConfigMap', name: 'mine' } } },
      },
    };
    const other = { ...gw!, object: { ...gw!.object, spec: { ...gw!.object.spec, gatewayClassName: 'other' } } };
    expect(withNodePortParameters([own, other]).batch).toEqual([own, other]);
    expect(nodePortParameters({ ...gw!.object, metadata: { name: 'g', namespace: 'shop' } }).metadata.namespace).toBe(
      'shop',
    );
  });
});
