/**
 * What the local mesh holds, written for a person explaining a failure: the objects, the pods, each
 * proxy's routes (in `istioctl proxy-config routes -o json` shape) and clusters, and recent access
 * log lines with Envoy response flags. Each file is written on its own; a failure is noted in
 * errors.txt and the rest still gets written. Never throws.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LocalMesh, MeshState } from '../../mesh/local-mesh.js';
import { writeDiagnostics, type DiagnosticPart } from '../diagnostics.js';

const FLAGS_HELP =
  '# Response flags: NR no route, NC no cluster (subset undefined), UH no healthy upstream, UF connect failure, ' +
  'UC upstream reset, UT timeout, URX retries exhausted, DI fault delay, FI fault abort, DC downstream gone.';

export async function writeLocalDiagnostics(dir: string, description: string, mesh: LocalMesh): Promise<string[]> {
  let state: MeshState;
  try {
    state = mesh.state();
    await mkdir(join(dir, 'proxies'), { recursive: true });
  } catch {
    return [];
  }
  const text = (render: () => string) => async () => render();
  return writeDiagnostics(dir, [
    { file: 'local-mesh.txt', collect: text(() => summary(description, state)) },
    { file: 'objects.yaml', collect: text(() => state.objects.map((o) => stringify(o)).join('---\n')) },
    { file: 'pods.json', collect: text(() => JSON.stringify(state.pods, null, 2)) },
    {
      file: 'access.log',
      collect: text(() =>
        [FLAGS_HELP, ...state.proxies.flatMap((p) => [`# ${p.pod} (${p.role})`, ...p.accessLog])].join('\n'),
      ),
    },
    ...state.proxies.flatMap((p): DiagnosticPart[] => [
      { file: join('proxies', `${p.pod}.routes.json`), collect: text(() => JSON.stringify(p.routes, null, 2)) },
      {
        file: join('proxies', `${p.pod}.clusters.txt`),
        collect: text(() =>
          p.clusters
            .map((c) => `${c.name}\n${c.endpoints.map((e) => `  ${e}`).join('\n') || '  (no endpoints)'}`)
            .join('\n'),
        ),
      },
    ]),
  ]);
}

function summary(description: string, s: MeshState): string {
  const lines = [
    description,
    `seed ${s.seed}, config version ${s.configVersion}, ingress ${s.ingressUrl}`,
    '',
    'pods:',
  ];
  for (const p of s.pods) lines.push(`  ${p.namespace}/${p.name} ${p.ready ? 'serving' : 'STOPPED'} at ${p.address}`);
  lines.push('', 'proxies:');
  for (const p of s.proxies) {
    const last = p.received.at(-1);
    const pending = p.pendingPushes ? `, ${p.pendingPushes} pushes on the way` : '';
    const received = last ? `, last received ${new Date(last.at).toISOString()}` : '';
    lines.push(`  ${p.namespace}/${p.pod} (${p.role}) holds version ${p.holdsVersion}${pending}${received}`);
  }
  return lines.join('\n');
}
