import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { loadPlan } from './load.js';

const DR_ONLY = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: cart }
spec:
  host: cart
  subsets:
    - { name: v1, labels: { version: v1 } }
`;

async function planIn(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshproof-versions-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return join(dir, 'plan.yaml');
}

async function issues(file: string): Promise<string[]> {
  try {
    await loadPlan(file);
    return [];
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return err.issues.map((i) => `${i.line} ${i.field}: ${i.message}`);
  }
}

describe('versions named by an expectation', () => {
  it("are held to the manifests when read the echo way; an app's own word only if the plan deploys it", async () => {
    const file = await planIn({
      'dr.yaml': DR_ONLY,
      'plan.yaml': `name: own-app
setup: [dr.yaml]
steps:
  - name: real
    expect:
      - versionFrom: { json: build.version }
        versions: { 1.4.2: 100 }
      - versions: { v1: 50, v2: 50 }
`,
    });
    expect(await issues(file)).toEqual([
      '8 steps[0].expect[1].versions.v2: version "v2" is no DestinationRule subset, Deployment version label ' +
        "or Service in this plan's manifests (they name: v1)",
    ]);
  });

  it('are not checked where the manifests define no Deployment and no DestinationRule', async () => {
    const file = await planIn({
      'plan.yaml': `name: existing-app
steps:
  - name: canary
    expect:
      - host: shop.example.com
        path: /api/cart
        headers: { x-tenant: acme }
        versions: { stable: 90, canary: 10 }
`,
    });
    const plan = await loadPlan(file);
    expect(plan.steps[0]!.expect[0]).toMatchObject({
      user: 'anonymous',
      path: '/api/cart',
      host: 'shop.example.com',
      headers: { 'x-tenant': 'acme' },
      versions: { stable: 90, canary: 10 },
      versionFrom: { header: 'x-version' },
    });
    expect(plan.steps[0]!.expect[0]!.reviews).toBeUndefined();
  });
});
