import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { ConfigStore } from './store.js';
import { meshIssues } from './mesh-issues.js';
import { echoCatalog } from './testing/echo-catalog.js';
import { deployment, service, yaml } from './testing/fixtures.js';

const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: back }
spec:
  hosts: [back]
  http: [{ route: [{ destination: { host: back } }] }]
`;
const vsKey = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'back', namespace: 'default' };

describe('ConfigStore', () => {
  it('answers created, unchanged and configured like server-side apply', () => {
    const store = new ConfigStore(echoCatalog);
    expect(store.apply(yaml(VS))).toEqual([{ ref: 'VirtualService back.default', action: 'created' }]);
    expect(store.apply(yaml(VS))).toEqual([{ ref: 'VirtualService back.default', action: 'unchanged' }]);
    expect(store.apply(yaml(VS.replace('host: back }', 'host: back, subset: v1 }')))).toEqual([
      { ref: 'VirtualService back.default', action: 'configured' },
    ]);
    const held = store.get(vsKey)!;
    expect(held.metadata).toMatchObject({ name: 'back', namespace: 'default', generation: 2 });
    expect(held.spec.http[0].route[0].destination.subset).toBe('v1');
  });

  it('refuses a whole batch when one Deployment has an image no catalog knows, naming image, file and line', () => {
    const store = new ConfigStore(echoCatalog);
    const bad = deployment('back', 'v1').replace('example.org/test/echo:1.0', 'nginx:1.27');
    const text = [VS, service('back'), bad].join('---\n');
    const batch = yaml(text, 'manifests/app.yaml');
    const imageLine = text.split('\n').findIndex((l) => l.includes('image: nginx')) + 1;
    let err: unknown;
    try {
      store.apply(batch);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const issue = (err as InputError).issues[0]!;
    expect(issue).toMatchObject({
      file: 'manifests/app.yaml',
      line: imageLine,
      field: 'spec.template.spec.containers[0].image',
    });
    expect(issue.message).toContain('"nginx:1.27"');
    expect(store.get(vsKey)).toBeNull();
    expect(store.all()).toHaveLength(0);
  });

  it('refuses unknown kinds and regexes RE2 cannot compile, applying nothing', () => {
    const store = new ConfigStore(echoCatalog, meshIssues);
    expect(() => store.apply(yaml(`${VS}---\napiVersion: v1\nkind: Pod\nmetadata: { name: p }\n`))).toThrow(
      /unknown kind "Pod"/,
    );
    const badRegex = VS.replace('http: [{ route', 'http: [{ match: [{ uri: { regex: "(a" } }], route');
    expect(() => store.apply(yaml(badRegex, 'vs.yaml'))).toThrow(/vs\.yaml:6.*invalid RE2 regex "\(a"/);
    expect(store.all()).toHaveLength(0);
  });

  it("gives new objects the batch's moment, or the creation time a mirrored cluster gave them, and keeps it", () => {
    const store = new ConfigStore(echoCatalog);
    store.apply(yaml(VS), { createdAt: (o) => (o.metadata.name === 'back' ? '2026-01-01T00:00:07Z' : undefined) });
    expect(store.get(vsKey)!.metadata.creationTimestamp).toBe('2026-01-01T00:00:07Z');
    store.apply(yaml(VS.replace('host: back }', 'host: back, subset: v1 }')), {
      createdAt: () => '2027-01-01T00:00:00Z',
    });
    expect(store.get(vsKey)!.metadata.creationTimestamp).toBe('2026-01-01T00:00:07Z');
    store.apply(yaml(service('a')));
    expect(store.list('v1', 'Service')[0]!.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('deletes, ignoring missing objects, and lists by kind and namespace', () => {
    const store = new ConfigStore(echoCatalog);
    store.apply(yaml([VS, service('a'), service('b', 9080, 'other')].join('---\n')));
    expect(store.list('v1', 'Service', 'default').map((s) => s.metadata.name)).toEqual(['a']);
    expect(store.list('v1', 'Service').map((s) => s.metadata.name)).toEqual(['a', 'b']);
    store.delete([vsKey, { ...vsKey, name: 'missing' }]);
    expect(store.get(vsKey)).toBeNull();
  });
});
