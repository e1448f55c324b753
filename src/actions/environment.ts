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
import { doctorReady, type DoctorCheck } from '../targets/doctor-check.js';
import { doctorChecks } from '../targets/doctor.js';
import type { SessionIO } from '../runner/session.js';

export async function bringUp(
  req: TargetRequest,
  io: SessionIO,
  signal: AbortSignal,
  namespace = 'default',
): Promise<Target> {
  const target = await createTarget(req, io);
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  const started = performance.now();
  // The phases print as they do in a run: the same reporter, the same lines.
  const reporter = new ConsoleReporter({ stream: io.stderr, tty: false, json: false });
  await target.up({ namespace, base, signal, emit: (e) => reporter.onEvent(e) });
  // A target without a data plane (kwok) has no ingress: say what it lacks instead of a URL.
  const where = await target.ingressUrl().then(
    (u) => `productpage: ${u}/productpage`,
    (err: Error) => err.message,
  );
  io.stderr.write(`${target.describe()}\nready in ${formatMs(performance.now() - started)}; ${where}\n`);
  return target;
}

/** What `down` can say it did on targets where it deletes nothing: it never claims a deletion it did not make. */
const NOTHING_DELETED: Partial<Record<string, string>> = {
  local:
    'nothing deleted: the local mesh lives only inside the process that serves it ' +
    '(`meshproof up --target local`, or a run with --keep); stop that process with Ctrl-C',
  existing:
    'nothing deleted: meshproof never deletes from a cluster it did not create ' +
    '(Bookinfo deployed with --deploy-bookinfo stays; remove it with ' +
    '`kubectl delete -f manifests/bookinfo/bookinfo.yaml -f manifests/istio/bookinfo-gateway.yaml`)',
};

export async function tearDown(req: TargetRequest, io: SessionIO): Promise<void> {
  const target = await createTarget(req, io);
  const nothing = NOTHING_DELETED[target.name];
  if (nothing) {
    await target.close();
    io.stderr.write(`${nothing}\n`);
    return;
  }
  await target.down();
  io.stderr.write(`deleted the ${target.name} environment\n`);
}

export async function runDoctor(
  io: SessionIO,
  opts: { clusterName?: string; hostPort?: number; target?: TargetRequest },
): Promise<{ ready: boolean; checks: DoctorCheck[] }> {
  const existing = opts.target?.choice === 'existing';
  const kwok = opts.target?.choice === 'kwok';
  // The registry probe can be pointed elsewhere (a mirror, or a loopback stand-in in tests).
  const registryUrl = process.env.MESHPROOF_REGISTRY_PROBE_URL;
  const checks = await doctorChecks({ ...opts, registryUrl: registryUrl || undefined });
  for (const c of checks) {
    const mark = c.ok ? 'ok     ' : c.required ? 'MISSING' : 'warn   ';
    io.stderr.write(`${mark} ${c.name}: ${c.detail}${c.fix ? `\n        fix: ${c.fix}` : ''}\n`);
  }
  const ready = doctorReady(checks);
  const cmd = existing
    ? '`meshproof run PLAN --target existing`'
    : kwok
      ? '`meshproof up --target kwok`'
      : '`meshproof up --target kind`';
  io.stderr.write(
    ready
      ? `\n${cmd} can work here.\n`
      : `\n${cmd} cannot work until the MISSING items are fixed` +
          `${existing ? '' : '; `--target local` runs without them'}.\n`,
  );
  return { ready, checks };
}
