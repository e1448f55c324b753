/**
 * `up` and `down` outside a plan run: bring the target's environment up (or tear it down), with a
 * status line per phase. On the local target `up` starts the mesh and keeps it serving until
 * interrupted — a local mesh lives as long as its process.
 */
import { loadManifestFile } from '../kube/manifest.js';
import { paths } from '../core/paths.js';
import { formatMs } from '../core/duration.js';
import type { PhaseStatus, Target } from '../targets/target.js';
import { createTarget, type TargetRequest } from '../targets/select.js';
import { doctor, doctorReady, type DoctorCheck } from '../targets/kind/doctor.js';
import type { SessionIO } from './session.js';

export async function bringUp(req: TargetRequest, io: SessionIO, signal: AbortSignal, namespace = 'default'): Promise<Target> {
  const target = await createTarget(req, io);
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  const started = performance.now();
  await target.up({ namespace, base, signal, status: lineStatus(io.stderr) });
  // A target without a data plane (kwok) has no ingress: say what it lacks instead of a URL.
  const where = await target.ingressUrl().then((u) => `productpage: ${u}/productpage`, (err: Error) => err.message);
  io.stderr.write(`${target.describe()}\nready in ${formatMs(performance.now() - started)}; ${where}\n`);
  return target;
}

export async function tearDown(req: TargetRequest, io: SessionIO): Promise<void> {
  const target = await createTarget(req, io);
  await target.down();
  io.stderr.write(`deleted the ${target.name} environment\n`);
}

export async function runDoctor(io: SessionIO, opts: { clusterName?: string; hostPort?: number; target?: string }): Promise<{ ready: boolean; checks: DoctorCheck[] }> {
  const target = opts.target === 'kwok' ? 'kwok' : 'kind';
  // The registry probe can be pointed elsewhere (a mirror, or a loopback stand-in in tests).
  const registryUrl = process.env.MESHPROOF_REGISTRY_PROBE_URL;
  const checks = target === 'kwok' ? await (await import('../targets/kwok/doctor.js')).kwokDoctor() : await doctor({ ...opts, ...(registryUrl ? { registryUrl } : {}) });
  for (const c of checks) {
    const mark = c.ok ? 'ok     ' : c.required ? 'MISSING' : 'warn   ';
    io.stderr.write(`${mark} ${c.name}: ${c.detail}${c.fix ? `\n        fix: ${c.fix}` : ''}\n`);
  }
  const ready = doctorReady(checks);
  io.stderr.write(ready ? `\n\`meshproof up --target ${target}\` can work here.\n` : `\n\`meshproof up --target ${target}\` cannot work until the MISSING items are fixed; \`--target local\` runs without them.\n`);
  return { ready, checks };
}

/** A status line per phase (the targets put each phase's duration in its detail); plain lines, so it reads the same in CI logs. */
export function lineStatus(out: NodeJS.WritableStream): PhaseStatus {
  let current: string | null = null;
  return {
    start(phase) {
      current = phase;
      out.write(` • ${phase} …\n`);
    },
    end(ok, detail) {
      if (current === null) return;
      out.write(` ${ok ? '✓' : '✗'} ${current}${detail ? `: ${detail}` : ''}\n`);
      current = null;
    },
    info(message) {
      out.write(`   ${message}\n`);
    },
  };
}
