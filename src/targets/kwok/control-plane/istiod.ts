/**
 * The real istiod for the kwok target. `istioctl install` creates istiod's Deployment as on any
 * cluster, but KWOK only fakes its pod, so the same pilot-discovery binary runs here as a local
 * process against the API server, with the Deployment's own environment (revision, cert provider,
 * features) and every listener on 127.0.0.1.
 *
 * How the API server reaches its webhooks: through Istio's own remote-istiod values
 * (`istiodRemote.injectionURL`, `base.validationURL`, see overlay.ts), which make `istioctl install`
 * write webhook URLs instead of Service references. They point at https://localhost:<port>, and
 * istiod adds `localhost` to its serving certificate (ISTIOD_CUSTOM_HOST) and puts its CA into the
 * webhooks' caBundle itself. The alternative, routing the `istiod` Service to the fake pod's address
 * (--enable-aggregator-routing), cannot work here: the API server resolves it through
 * EndpointSlices, which refuse loopback addresses, and KWOK's pod addresses are loopback.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { EnvironmentError } from '../../../core/errors.js';
import { poll } from '../../../core/wait.js';
import type { KubeClient } from '../../../kube/client.js';
import type { KubeObject } from '../../../kube/manifest.js';
import { freePorts, LOOPBACK } from '../ports.js';
import { isRunning, logTail, startDaemon, type Daemon } from './processes.js';

export const ISTIOD_PORT_NAMES = ['http', 'webhook', 'grpc', 'secureGrpc', 'monitoring', 'ctrlz'] as const;
export type IstiodPorts = Record<(typeof ISTIOD_PORT_NAMES)[number], number>;

export const WEBHOOK_HOST = 'localhost';

export function istiodPorts(): Promise<IstiodPorts> {
  return freePorts(ISTIOD_PORT_NAMES);
}

export function webhookUrls(ports: Pick<IstiodPorts, 'webhook'>): { injection: string; validation: string } {
  const base = `https://${WEBHOOK_HOST}:${ports.webhook}`;
  return { injection: `${base}/inject`, validation: `${base}/validate` };
}

export function istiodArgs(kubeconfig: string, p: IstiodPorts): string[] {
  const at = (port: number) => `${LOOPBACK}:${port}`;
  return [
    'discovery',
    `--kubeconfig=${kubeconfig}`,
    `--httpAddr=${at(p.http)}`,
    `--httpsAddr=${at(p.webhook)}`,
    `--grpcAddr=${at(p.grpc)}`,
    `--secureGRPCAddr=${at(p.secureGrpc)}`,
    `--monitoringAddr=${at(p.monitoring)}`,
    `--ctrlz_address=${LOOPBACK}`,
    `--ctrlz_port=${p.ctrlz}`,
    '--domain=cluster.local',
    '--keepaliveMaxServerConnectionAge=30m',
    '--log_output_level=default:info',
  ];
}

/**
 * The environment of istiod's container as the Deployment declares it: literal values kept,
 * pod fields filled in as they would be for a pod named `name`, resource fields dropped (no
 * container limits apply to a local process), KUBECONFIG pointed at the admin kubeconfig.
 */
export function istiodEnv(deployment: KubeObject, kubeconfig: string, name = 'istiod-local'): Record<string, string> {
  const container =
    deployment.spec?.template?.spec?.containers?.find((c: { name: string }) => c.name === 'discovery') ??
    deployment.spec?.template?.spec?.containers?.[0];
  const fields: Record<string, string> = {
    'metadata.name': name,
    'metadata.namespace': deployment.metadata.namespace ?? 'istio-system',
    'spec.serviceAccountName': deployment.spec?.template?.spec?.serviceAccountName ?? 'istiod',
    'status.podIP': LOOPBACK,
  };
  const env: Record<string, string> = {};
  for (const e of (container?.env ?? []) as {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string } };
  }[]) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef && fields[e.valueFrom.fieldRef.fieldPath] !== undefined)
      env[e.name] = fields[e.valueFrom.fieldRef.fieldPath]!;
  }
  env.KUBECONFIG = kubeconfig;
  env.ISTIOD_CUSTOM_HOST = [env.ISTIOD_CUSTOM_HOST, WEBHOOK_HOST].filter(Boolean).join(',');
  return env;
}

export interface LocalIstiodOptions {
  kube: KubeClient;
  binary: string;
  kubeconfig: string;
  workDir: string;
  log: string;
  ports: IstiodPorts;
  namespace: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called as soon as the process exists, so it is recorded (and stopped by `down`) even if it never gets ready. */
  onSpawn: (d: Daemon) => Promise<void>;
}

/** Starts pilot-discovery and waits until it is ready and has written its CA into the injection webhooks. */
export async function startLocalIstiod(o: LocalIstiodOptions): Promise<Daemon> {
  const deployment = await o.kube.get({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'istiod',
    namespace: o.namespace,
  });
  if (!deployment)
    throw new EnvironmentError(`no istiod Deployment in ${o.namespace}: istioctl install did not create it`);
  await mkdir(o.workDir, { recursive: true });
  // It writes its DNS certificate relative to its working folder (./var/run/secrets/istio-dns).
  const d = startDaemon({
    name: 'pilot-discovery',
    binary: o.binary,
    args: istiodArgs(o.kubeconfig, o.ports),
    env: istiodEnv(deployment, o.kubeconfig),
    cwd: o.workDir,
    log: o.log,
  });
  await o.onSpawn(d);
  try {
    await waitIstiodReady(d, o);
  } catch (err) {
    if (o.signal?.aborted) throw err;
    throw new EnvironmentError(
      `the local istiod did not become ready: ${(err as Error).message}\n--- last lines of ${o.log}\n${logTail(o.log)}`,
      { cause: err, hint: `its full log: ${o.log}` },
    );
  }
  return d;
}

async function waitIstiodReady(d: Daemon, o: LocalIstiodOptions): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const signal = o.signal ? { signal: o.signal } : {};
  await poll({
    what: `istiod's /ready on ${LOOPBACK}:${o.ports.http}`,
    intervalMs: 500,
    timeoutMs,
    ...signal,
    check: async () => {
      if (!isRunning(d)) throw new EnvironmentError('pilot-discovery exited');
      const res = await request(`http://${LOOPBACK}:${o.ports.http}/ready`, {
        headersTimeout: 2000,
        bodyTimeout: 2000,
      });
      await res.body.dump();
      return res.statusCode === 200
        ? { done: true, value: undefined }
        : { done: false, observed: `HTTP ${res.statusCode}` };
    },
  });
  await poll({
    what: 'istiod to put its CA into the sidecar injector webhooks',
    intervalMs: 500,
    timeoutMs,
    ...signal,
    check: async () => {
      const missing = await webhooksWithoutCa(o.kube);
      return missing.length
        ? { done: false, observed: `no caBundle yet: ${missing.join(', ')}` }
        : { done: true, value: undefined };
    },
  });
}

/** Injection webhooks (of configurations labelled app=sidecar-injector) whose caBundle is still empty. */
export async function webhooksWithoutCa(kube: KubeClient): Promise<string[]> {
  const { items } = await kube.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', undefined, {
    labelSelector: 'app=sidecar-injector',
  });
  if (!items.length) return ['(no MutatingWebhookConfiguration labelled app=sidecar-injector)'];
  return items.flatMap((c) =>
    ((c.webhooks ?? []) as { name: string; clientConfig?: { caBundle?: string } }[])
      .filter((w) => !w.clientConfig?.caBundle)
      .map((w) => `${c.metadata.name}/${w.name}`),
  );
}

/** Where a webhook's clientConfig sends the API server, for the console. */
export function describeWebhookTargets(configs: KubeObject[]): string[] {
  return configs.flatMap((c) =>
    (
      (c.webhooks ?? []) as {
        name: string;
        clientConfig?: { url?: string; service?: { namespace: string; name: string } };
      }[]
    ).map((w) => {
      const service = w.clientConfig?.service;
      return `${w.name} → ${w.clientConfig?.url ?? (service ? `service ${service.namespace}/${service.name}` : '?')}`;
    }),
  );
}

export function istiodLog(logs: string): string {
  return join(logs, 'pilot-discovery.log');
}
