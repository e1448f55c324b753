/**
 * `meshproof doctor --target kwok`: what the kwok target needs (Go ≥ 1.26 to build, or binaries
 * already built for the pinned versions), whether a control plane runs, and — said as plainly as
 * the rest — what the target does not do: there is no data plane.
 */
import { statfs } from 'node:fs/promises';
import { type CommandRunner, zxRunner } from '../../core/process.js';
import { CONTROL_PLANE } from '../../istio/install/versions.js';
import { paths } from '../../core/paths.js';
import type { DoctorCheck } from '../doctor-check.js';
import { staleBinaries, toolModules } from './control-plane/binaries.js';
import { goVersion, MIN_GO, parseGoVersion } from './control-plane/build.js';
import { describeHolder } from '../../core/file-lock.js';
import { ControlPlane, type Starter } from './control-plane/control-plane.js';
import { DATA_PLANE_SIMULATED } from './kwok-target.js';

/** A cold build fills about 1 GB of module cache and 2–3 GB of build cache. */
export const BUILD_FREE_BYTES = 4 * 1024 ** 3;

export interface KwokDoctorOptions {
  cacheDir?: string;
  runner?: CommandRunner;
  freeBytes?: (path: string) => Promise<number>;
}

export async function kwokDoctor(opts: KwokDoctorOptions = {}): Promise<DoctorCheck[]> {
  const cacheDir = opts.cacheDir ?? paths.cache;
  const runner = opts.runner ?? zxRunner;
  const stale = toolModules().flatMap((m) => staleBinaries(cacheDir, m));
  const gov = await goVersion(runner);
  const parsed = gov ? parseGoVersion(gov) : null;
  const goOk = !!parsed && (parsed[0] > MIN_GO[0] || (parsed[0] === MIN_GO[0] && parsed[1] >= MIN_GO[1]));
  const checks: DoctorCheck[] = [
    check(
      'control plane binaries',
      stale.length > 0 && !goOk,
      stale.length === 0,
      stale.length
        ? `not built yet: ${stale.join(', ')}`
        : `built for Kubernetes ${CONTROL_PLANE.kubernetes}, etcd ${CONTROL_PLANE.etcd}, ` +
            `KWOK ${CONTROL_PLANE.kwok}, Istio ${CONTROL_PLANE.istio}`,
      '`npm run controlplane:build` (or the first `meshproof up --target kwok`) builds them',
    ),
    check(
      `Go ≥ ${MIN_GO.join('.')}`,
      stale.length > 0,
      goOk,
      gov ?? 'no go command',
      'install Go 1.26 or newer: https://go.dev/dl/',
    ),
  ];
  if (stale.length) checks.push(await diskCheck(opts));
  const cp = new ControlPlane(cacheDir);
  const state = cp.readState();
  const problem = state ? await cp.problem(state) : null;
  checks.push(
    check(
      'control plane',
      false,
      !!state && !problem,
      !state
        ? 'not running (`meshproof up --target kwok` starts it)'
        : problem
          ? `recorded but unusable: ${problem}`
          : `running: API server https://127.0.0.1:${state.ports.apiserver}, kubeconfig ${cp.layout.kubeconfig}` +
            orphanNote(cp.orphaned(state)),
      state && problem
        ? problem.startsWith('not running:')
          ? '`meshproof up --target kwok` (or any run on it)'
          : '`meshproof down --target kwok`, then up again'
        : '',
    ),
    check(
      'istiod',
      false,
      true,
      'the real pilot-discovery, run as a local process; ' +
        "the API server calls its webhooks at https://localhost:<port> (Istio's remote-istiod webhook URLs)",
      '',
    ),
    check('data plane', false, true, DATA_PLANE_SIMULATED, ''),
  );
  return checks;
}

function check(name: string, required: boolean, ok: boolean, detail: string, fix: string): DoctorCheck {
  return { name, required, ok, detail, fix: ok ? '' : fix };
}

async function diskCheck(opts: KwokDoctorOptions): Promise<DoctorCheck> {
  const home = process.env.HOME ?? '/';
  try {
    const bytes = await (opts.freeBytes ?? (async (p: string) => ((s) => s.bavail * s.bsize)(await statfs(p))))(home);
    return check(
      'disk space for Go caches',
      false,
      bytes >= BUILD_FREE_BYTES,
      `${(bytes / 1024 ** 3).toFixed(1)} GB free under ${home}`,
      'a first build needs about 4 GB (Go module and build caches)',
    );
  } catch (err) {
    return check(
      'disk space for Go caches',
      false,
      false,
      `could not be measured: ${(err as Error).message}`,
      'make sure about 4 GB are free',
    );
  }
}

/** A control plane whose starter was to stop it and was killed: who, and what stops it now. */
export function orphanNote(starter: Starter | null): string {
  if (!starter) return '';
  return (
    `; started by ${describeHolder(starter)}, which was to stop it at its end and is gone: ` +
    'the next run takes it over and stops it, `meshproof down --target kwok` stops it now'
  );
}
