import { describe, expect, it } from 'vitest';
import { parseManifests } from '../kube/manifest.js';
import type { Step } from '../plan/types.js';
import { effectiveVirtualServices } from './effective-objects.js';

const stepOf = (text: string) => ({ objects: parseManifests(text, 'step.yaml') }) as unknown as Step;

describe('effectiveVirtualServices', () => {
  it("shows a root with the step's delegate merged under its rule, and leaves the delegate itself out", () => {
    const step = stepOf(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
    - match: [{ headers: { end-user: { exact: jason } } }]
      delegate: { name: reviews-jason }
    - route: [{ destination: { host: reviews, subset: v1 } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews-jason }
spec:
  http:
    - route: [{ destination: { host: reviews, subset: v2 } }]
`);
    const [vs, ...rest] = effectiveVirtualServices(step, 'default');
    expect(rest).toEqual([]);
    expect(vs!.spec.http).toEqual([
      {
        match: [{ headers: { 'end-user': { exact: 'jason' } } }],
        route: [{ destination: { host: 'reviews', subset: 'v2' } }],
      },
      { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    ]);
  });

  it('keeps a delegate rule as it is when the step does not apply the delegate', () => {
    const step = stepOf(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http: [{ delegate: { name: elsewhere } }]
`);
    expect(effectiveVirtualServices(step, 'default')[0]!.spec.http).toEqual([{ delegate: { name: 'elsewhere' } }]);
  });
});
