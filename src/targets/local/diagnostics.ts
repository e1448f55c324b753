/**
 * What the local mesh holds, written for a person explaining a failure: the objects, the pods, each
 * proxy's routes (in `istioctl proxy-config routes -o json` shape) and clusters, and recent access
 * log lines with Envoy response flags. Each file is written on its own; a failure is noted in
 * errors.txt and the rest still gets written. Never throws.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LocalMesh, MeshState } from '../../mesh/localMesh.js';

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
  const files: [string, () => string][] = [
    ['local-mesh.txt', () => summary(description, state)],
    ['objects.yaml', () => state.objects.map((o) => stringify(o)).join('---\n')],
    ['pods.json', () => JSON.stringify(state.pods, null, 2)],
    ['access.log', () => [FLAGS_HELP, ...state.proxies.flatMap((p) => [`# ${p.pod} (${p.role})`, ...p.accessLog])].join('\n')],
    ...state.proxies.flatMap((p): [string, () => string][] => [
      [join('proxies', `${p.pod}.routes.json`), () => JSON.stringify(p.routes, null, 2)],
      [join('proxies', `${p.pod}.clusters.txt`), () => p.clusters.map((c) => `${c.name}\n${c.endpoints.map((e) => `  ${e}`).join('\n') || '  (no endpoints)'}`).join('\n')],
    ]),
  ];
  const written: string[] = [];
  const errors: string[] = [];
  for (const [name, render] of files) {
    try {
      const text = render();
      await writeFile(join(dir, name), text.endsWith('\n') ? text : `${text}\n`);
      written.push(join(dir, name));
    } catch (err) {
      errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (errors.length) {
    try {
      await writeFile(join(dir, 'errors.txt'), `${errors.join('\n')}\n`);
      written.push(join(dir, 'errors.txt'));
    } catch {
      // nothing more can be done
    }
  }
  return written;
}

function summary(description: string, s: MeshState): string {
  const lines = [description, `seed ${s.seed}, config version ${s.configVersion}, ingress ${s.ingressUrl}`, '', 'pods:'];
  for (const p of s.pods) lines.push(`  ${p.namespace}/${p.name} ${p.ready ? 'serving' : 'STOPPED'} at ${p.address}`);
  lines.push('', 'proxies:');
  for (const p of s.proxies) {
    const last = p.received.at(-1);
    lines.push(`  ${p.namespace}/${p.pod} (${p.role}) holds version ${p.holdsVersion}${p.pendingPushes ? `, ${p.pendingPushes} pushes on the way` : ''}${last ? `, last received ${new Date(last.at).toISOString()}` : ''}`);
  }
  return lines.join('\n');
}
