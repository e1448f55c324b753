/**
 * `up` and `down` outside a plan run: bring the target's environment up (or tear it down), with a
 * status line per phase. On the local target `up` starts the mesh and keeps it serving until
 * interrupted — a local mesh lives as long as its process.
 */
import { loadManifestFile } from '../kube/manifest.js';
import { paths } from '../core/paths.js';
import { formatMs } from '../core/duration.js';
import type { Target } from '../targets/target.js';
import { ConsoleReporter } from '../report/console/console-reporter.js';
import { createTarget, type TargetRequest } from '../targets/select.js';
import { doctor, doctorReady, type DoctorCheck } from '../targets/kind/doctor.js';
import type { SessionIO } from './session.js';

export async function bringUp(req: TargetRequest, io: SessionIO, signal: AbortSignal, namespace = 'default'): Promise<Target> {
  const target = await createTarget(req, io);
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  const started = performance.now();
  // The phases print as they do in a run: the same reporter, the same lines.
  const reporter = new ConsoleReporter({ stream: io.stderr, tty: false, json: false });
  await target.up({ namespace, base, signal, emit: (e) => reporter.onEvent(e) });
  io.stderr.write(`${target.describe()}\nready in ${formatMs(performance.now() - started)}; productpage: ${await target.ingressUrl()}/productpage\n`);
  return target;
}

export async function tearDown(req: TargetRequest, io: SessionIO): Promise<void> {
  const target = await createTarget(req, io);
  await target.down();
  io.stderr.write(`deleted the ${target.name} environment\n`);
}

export async function runDoctor(io: SessionIO, opts: { clusterName?: string; hostPort?: number }): Promise<{ ready: boolean; checks: DoctorCheck[] }> {
  // The registry probe can be pointed elsewhere (a mirror, or a loopback stand-in in tests).
  const registryUrl = process.env.MESHPROOF_REGISTRY_PROBE_URL;
  const checks = await doctor({ ...opts, ...(registryUrl ? { registryUrl } : {}) });
  for (const c of checks) {
    const mark = c.ok ? 'ok     ' : c.required ? 'MISSING' : 'warn   ';
    io.stderr.write(`${mark} ${c.name}: ${c.detail}${c.fix ? `\n        fix: ${c.fix}` : ''}\n`);
  }
  const ready = doctorReady(checks);
  io.stderr.write(ready ? '\n`meshproof up --target kind` can work here.\n' : '\n`meshproof up --target kind` cannot work until the MISSING items are fixed; `--target local` runs without them.\n');
  return { ready, checks };
}
