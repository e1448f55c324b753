/**
 * `up` and `down` outside a plan run: bring the target's environment up (or tear it down), with a
 * status line per phase. On the local target `up` starts the mesh and keeps it serving until
 * interrupted — a local mesh lives as long as its process; on kwok it serves the data plane until
 * interrupted and watches the control plane meanwhile. Both hold the lease on the cluster while
 * they work on it (targets/lease.ts): `up` beside another meshproof process is refused unless both
 * share (`--shared`), and `down` never deletes a cluster another meshproof process works on.
 */
import { loadManifestFile } from '../kube/manifest.js';
import { paths } from '../core/paths.js';
import { formatMs } from '../core/duration.js';
import type { Target } from '../targets/target.js';
import { ConsoleReporter } from '../report/console/console-reporter.js';
import { createTarget, type TargetRequest } from '../targets/select.js';
import { DOWN_HINT, leaseCluster, type ClusterLease } from '../targets/lease.js';
import { doctorReady, type DoctorCheck } from '../targets/doctor-check.js';
import { doctorChecks } from '../targets/doctor.js';
import type { SessionIO } from '../runner/session.js';

/**
 * `up`: the lease, the environment, and where it serves only while this process runs, serving
 * until `signal` aborts, with the target watching its environment (Target.watch) meanwhile.
 */
export async function upAndServe(
  req: TargetRequest,
  io: SessionIO,
  signal: AbortSignal,
  o: { shared: boolean },
): Promise<void> {
  const target = await createTarget(req, io);
  const lease = await takeLease(target, io, { shared: o.shared });
  try {
    await bringUp(target, io, signal);
    if (target.traits.servesWhile !== 'process') return;
    io.stderr.write(
      target.traits.lifetime === 'process'
        ? 'The local mesh lives as long as this process: press Ctrl-C to stop it.\n'
        : 'The data plane serves as long as this process: press Ctrl-C to stop it (the control plane keeps ' +
            `running; \`meshproof down --target ${target.name}\` stops it).\n`,
    );
    await serve(target, io, signal);
    if (target.traits.lifetime === 'process') await target.down();
  } finally {
    try {
      await target.close();
    } finally {
      await lease?.release();
    }
  }
}

/** Until interrupted; a target that watches its environment says what changes, and ends serving if it is gone. */
async function serve(target: Target, io: SessionIO, signal: AbortSignal): Promise<void> {
  if (target.watch) return target.watch({ say: (line) => io.stderr.write(`${line}\n`), signal });
  if (signal.aborted) return;
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

async function takeLease(target: Target, io: SessionIO, o: { shared: boolean; hint?: string }) {
  const lease: ClusterLease | null = await leaseCluster(target, o);
  for (const n of lease?.notes ?? []) io.stderr.write(`${n}\n`);
  return lease;
}

async function bringUp(target: Target, io: SessionIO, signal: AbortSignal, namespace = 'default'): Promise<void> {
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
  const lease = await takeLease(target, io, { shared: false, hint: DOWN_HINT });
  try {
    await target.down();
  } finally {
    await lease?.release();
  }
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
