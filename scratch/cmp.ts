import { writeFileSync, mkdirSync } from 'node:fs';
import { KwokTarget } from '../src/targets/kwok/kwok-target.js';
import { loadManifestFile } from '../src/kube/manifest.js';
import { paths } from '../src/core/paths.js';
import { loadPlan } from '../src/plan/load.js';
import { ConfigStore } from '../src/mesh/store.js';
import { bookinfoCatalog } from '../src/mesh/apps/catalog.js';
import { meshIssues } from '../src/mesh/mesh-issues.js';
import { buildModel } from '../src/mesh/translate/model.js';
import { proxyConfig } from '../src/mesh/translate/proxy-config.js';
import { PROJECT_DESTINATION_RULES } from '../src/plan/load.js';

const t = new KwokTarget({ build: false, makeBeforeBreakMs: 0 });
const base = (await Promise.all([...paths.base, PROJECT_DESTINATION_RULES].map((f) => loadManifestFile(f)))).flat();
await t.up({ namespace: 'default', base });
const plan = await loadPlan(process.argv[2] ?? 'plans/tutorial.yaml');
const store = new ConfigStore(bookinfoCatalog, meshIssues);
store.apply(base);
const setup = plan.setup.flatMap((m) => m.objects);
if (setup.length) { await t.apply(setup); store.apply(setup); }
const step = plan.steps[Number(process.argv[3] ?? 0)]!;
await t.apply(step.objects);
store.apply(step.objects);
await new Promise((r) => setTimeout(r, 3000));
const dp = t.dataPlane!;
const eps = dp.proxies().filter((p) => p.identity.role === 'sidecar').map((p) => ({ pod: p.identity.pod, namespace: p.identity.namespace, labels: p.identity.labels, address: '127.0.0.1:1' }));
const model = buildModel(store, eps);
mkdirSync('/tmp/cmp', { recursive: true });
for (const p of dp.proxies()) {
  const local = proxyConfig(model, { namespace: p.identity.namespace, labels: p.identity.labels, role: p.identity.role }).routes;
  writeFileSync(`/tmp/cmp/${p.identity.pod}.local.json`, JSON.stringify(local, null, 1));
  writeFileSync(`/tmp/cmp/${p.identity.pod}.istiod.json`, JSON.stringify(p.proxy.routes(), null, 1));
}
await t.close();
console.log('done');
