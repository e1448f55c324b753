/**
 * `meshproof doctor --target existing`: what a run on a cluster that already runs Istio needs —
 * a kubeconfig, an API server that answers, istiod, an ingress gateway reachable from here, and
 * (not required) Bookinfo and istioctl. Docker and kind play no part there, so they are not checked.
 * Each probe is bounded in time, so an unreachable cluster is reported in seconds.
 */
import { request } from 'undici';
import { doctorCheck as check, type DoctorCheck } from '../doctor-check.js';
import { type CommandRunner, zxRunner } from '../../core/process.js';
import { KubeClient } from '../../kube/client.js';
import { loadKubeConfig } from '../../kube/kubeconfig.js';
import { listPods } from '../../kube/pods.js';
import { discoverIngress } from './ingress.js';

export interface ExistingDoctorOptions {
  kubeconfig?: string;
  context?: string;
  ingressUrl?: string;
  namespace?: string;
  runner?: CommandRunner;
  /** Bound on each probe. Default 5 s. */
  timeoutMs?: number;
}

export async function existingDoctor(o: ExistingDoctorOptions = {}): Promise<DoctorCheck[]> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const checks: DoctorCheck[] = [];
  let kube: KubeClient;
  try {
    const kc = loadKubeConfig({ kubeconfig: o.kubeconfig || undefined, context: o.context || undefined });
    kube = new KubeClient(kc);
    checks.push(
      check(
        'kubeconfig',
        true,
        true,
        `context ${kc.getCurrentContext()}, server ${kc.getCurrentCluster()?.server ?? '?'}`,
      ),
    );
  } catch (err) {
    checks.push(
      check('kubeconfig', true, false, (err as Error).message, 'pass --kubeconfig PATH (and --context NAME)'),
    );
    return checks;
  }
  const api = await probe(() => kube.list('v1', 'Namespace'), timeoutMs);
  if (!api.ok) {
    checks.push(
      check(
        'API server',
        true,
        false,
        `not reachable: ${api.error}`,
        'check that the cluster is up and the kubeconfig context points at it (`kubectl cluster-info`)',
      ),
    );
    return checks;
  }
  checks.push(check('API server', true, true, `answers (${api.value.items.length} namespaces)`));
  const [istio, bookinfo, ingress, istioctl] = await Promise.all([
    istioCheck(kube, timeoutMs),
    bookinfoCheck(kube, o.namespace ?? 'default', timeoutMs),
    ingressCheck(kube, o.ingressUrl, timeoutMs),
    istioctlCheck(o.runner ?? zxRunner, timeoutMs),
  ]);
  checks.push(istio, ingress, bookinfo, istioctl);
  return checks;
}

async function istioCheck(kube: KubeClient, timeoutMs: number): Promise<DoctorCheck> {
  const r = await probe(
    () => kube.list('apps/v1', 'Deployment', undefined, { labelSelector: 'app=istiod' }),
    timeoutMs,
  );
  if (!r.ok)
    return check(
      'Istio',
      true,
      false,
      `could not list istiod Deployments: ${r.error}`,
      'the kubeconfig user needs to list Deployments',
    );
  const istiod = r.value.items[0];
  if (!istiod)
    return check(
      'Istio',
      true,
      false,
      'no Deployment labelled app=istiod: this cluster does not run Istio',
      'install Istio first (istioctl install), or use --target kind',
    );
  const image: string = istiod.spec?.template?.spec?.containers?.[0]?.image ?? '';
  return check(
    'Istio',
    true,
    true,
    `istiod ${/:([^:@/]+)(?:@.*)?$/.exec(image)?.[1] ?? 'of unknown version'} in ${istiod.metadata.namespace}`,
  );
}

async function bookinfoCheck(kube: KubeClient, namespace: string, timeoutMs: number): Promise<DoctorCheck> {
  const r = await probe(() => listPods(kube, namespace, 'app=productpage'), timeoutMs);
  if (!r.ok)
    return check(
      `Bookinfo in ${namespace}`,
      false,
      false,
      `could not list pods: ${r.error}`,
      'the kubeconfig user needs to list pods',
    );
  if (!r.value.length)
    return check(
      `Bookinfo in ${namespace}`,
      false,
      false,
      'no productpage pod',
      'pass --deploy-bookinfo to `up` or `run`',
    );
  return check(`Bookinfo in ${namespace}`, false, true, `${r.value.length} productpage pod(s)`);
}

async function ingressCheck(kube: KubeClient, given: string | undefined, timeoutMs: number): Promise<DoctorCheck> {
  let url = given?.replace(/\/+$/, '');
  if (!url) {
    const d = await probe(async () => (await discoverIngress(kube)).url, timeoutMs);
    if (!d.ok)
      return check(
        'ingress gateway',
        true,
        false,
        d.error,
        'pass --ingress-url http://HOST:PORT (for example after ' +
          '`kubectl port-forward -n istio-system svc/istio-ingressgateway 8080:80`)',
      );
    url = d.value;
  }
  const from = given ? 'given by --ingress-url' : 'discovered from the istio-ingressgateway Service';
  try {
    const res = await request(`${url}/productpage`, {
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    return check('ingress gateway', true, true, `${url} (${from}) answered /productpage with HTTP ${res.statusCode}`);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return check(
      'ingress gateway',
      true,
      false,
      `nothing answered at ${url} (${from}): ${why}`,
      given
        ? 'check --ingress-url: it must reach the ingress gateway from this machine'
        : 'pass --ingress-url with an address reachable from here',
    );
  }
}

async function istioctlCheck(runner: CommandRunner, timeoutMs: number): Promise<DoctorCheck> {
  const r = await runner
    .run('istioctl', ['version', '--remote=false'], { timeoutMs })
    .catch((err: Error) => ({ exitCode: 1, stdout: '', stderr: err.message }));
  if (r.exitCode !== 0)
    return check(
      'istioctl',
      false,
      false,
      'not on the PATH: proxies will not be read, settling falls back to traffic',
      "install istioctl matching the cluster's Istio",
    );
  return check('istioctl', false, true, r.stdout.trim().split('\n')[0] ?? 'found');
}

type Probe<T> = { ok: true; value: T } | { ok: false; error: string };

async function probe<T>(f: () => Promise<T>, timeoutMs: number): Promise<Probe<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
  );
  try {
    return { ok: true, value: await Promise.race([f(), timeout]) };
  } catch (err) {
    return { ok: false, error: oneLine((err as Error).message) };
  } finally {
    clearTimeout(timer);
  }
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
