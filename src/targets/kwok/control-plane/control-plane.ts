/**
 * The kwok target's control plane on loopback: etcd (data in a temporary folder), kube-apiserver,
 * kube-controller-manager, kube-scheduler and KWOK, started as detached processes whose pids and
 * ports are kept in state.json, so a later `up` reuses them and `down` (or an interrupt, or the
 * end of a run) stops them. Logs stay in the cache folder for diagnostics.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { EnvironmentError } from '../../../core/errors.js';
import { poll } from '../../../core/wait.js';
import { binary, binDir, KWOK_STAGES_FILE } from './binaries.js';
import { componentSpecs, PORT_NAMES, type ComponentSpec, type ControlPlanePorts } from './components.js';
import { kubeconfigYaml, writeCredentials } from './credentials.js';
import { apiserverCertFile, kwokLayout, type KwokLayout } from './layout.js';
import { freePorts, LOOPBACK } from '../ports.js';
import type { IstiodPorts } from './istiod.js';
import { isRunning, logTail, startDaemon, stopDaemon, type Daemon } from './processes.js';

export interface ControlPlaneState {
  ports: ControlPlanePorts;
  daemons: Daemon[];
  dataDir: string;
  startedAt: string;
  token: string;
  /** Chosen once per control plane: Istio's webhooks are installed with the webhook port in their URL. */
  istiodPorts?: IstiodPorts;
}

export interface StartOptions {
  signal?: AbortSignal;
  /** Per process. Default 60 s. */
  readyTimeoutMs?: number;
  onStarted?: (name: string, ms: number) => void;
  /** Called before each process starts (KWOK needs its CRDs in the API before it starts). */
  beforeStart?: (name: ComponentSpec['name']) => Promise<void>;
}

export class ControlPlane {
  readonly layout: KwokLayout;
  constructor(readonly cacheDir: string) {
    this.layout = kwokLayout(cacheDir);
  }

  bin(name: string): string {
    return binary(this.cacheDir, name);
  }

  readState(): ControlPlaneState | null {
    if (!existsSync(this.layout.state)) return null;
    try {
      return JSON.parse(readFileSync(this.layout.state, 'utf8')) as ControlPlaneState;
    } catch {
      return null;
    }
  }

  async writeState(s: ControlPlaneState): Promise<void> {
    await writeFile(this.layout.state, `${JSON.stringify(s, null, 2)}\n`);
  }

  /** null when every recorded process runs and the API server is ready; else what is wrong. */
  async problem(s: ControlPlaneState): Promise<string | null> {
    if (!s.ports.kwok) return 'started by an older meshproof (KWOK serves no kubelet port)';
    const dead = s.daemons.filter((d) => !isRunning(d)).map((d) => d.name);
    if (dead.length) return `not running: ${dead.join(', ')}`;
    const ready = await this.apiserverReady(s).catch((err: Error) => err.message);
    return ready === true ? null : `kube-apiserver not ready: ${ready}`;
  }

  /** Starts every component in order, waiting for each to be healthy before the next. */
  async start(opts: StartOptions = {}): Promise<ControlPlaneState> {
    const l = this.layout;
    await rm(l.pki, { recursive: true, force: true });
    await rm(l.logs, { recursive: true, force: true });
    for (const d of [
      l.dir,
      l.logs,
      l.pki,
      l.apiserverCerts,
      join(l.pki, 'controller-manager'),
      join(l.pki, 'scheduler'),
    ])
      await mkdir(d, { recursive: true });
    const creds = await writeCredentials({ tokenFile: l.tokenFile, saKey: l.saKey, saPub: l.saPub });
    const ports = await freePorts(PORT_NAMES);
    const state: ControlPlaneState = {
      ports,
      daemons: [],
      dataDir: await mkdtemp(join(tmpdir(), 'meshproof-etcd-')),
      startedAt: new Date().toISOString(),
      token: creds.token,
    };
    await writeFile(
      l.kubeconfig,
      kubeconfigYaml({
        server: `https://${LOOPBACK}:${ports.apiserver}`,
        caFile: apiserverCertFile(l),
        token: creds.token,
      }),
      { mode: 0o600 },
    );
    const specs = componentSpecs({
      bin: (n) => this.bin(n),
      layout: l,
      ports,
      dataDir: state.dataDir,
      stagesFile: join(binDir(this.cacheDir), KWOK_STAGES_FILE),
    });
    for (const spec of specs) {
      opts.signal?.throwIfAborted();
      await opts.beforeStart?.(spec.name);
      const t0 = Date.now();
      const d = startDaemon({ ...spec, log: join(l.logs, `${spec.name}.log`) });
      state.daemons.push(d);
      await this.writeState(state);
      await this.waitHealthy(spec, d, state, opts);
      opts.onStarted?.(spec.name, Date.now() - t0);
    }
    return state;
  }

  /** Stops every recorded process (newest first) and removes etcd's data. Returns what was stopped. */
  async stop(): Promise<string[]> {
    const s = this.readState();
    if (!s) return [];
    const stopped: string[] = [];
    for (const d of [...s.daemons].reverse()) {
      const how = await stopDaemon(d);
      if (how !== 'absent') stopped.push(`${d.name} (pid ${d.pid}${how === 'killed' ? ', killed' : ''})`);
    }
    if (s.dataDir.includes('meshproof-etcd-')) await rm(s.dataDir, { recursive: true, force: true });
    await rm(this.layout.state, { force: true });
    return stopped;
  }

  /** Adds a process started later (the local istiod) to the state, so `down` stops it too. */
  async adopt(d: Daemon): Promise<void> {
    const s = this.readState();
    if (!s) throw new EnvironmentError('no control plane state to add a process to');
    s.daemons = [...s.daemons.filter((x) => x.name !== d.name), d];
    await this.writeState(s);
  }

  async release(name: string): Promise<void> {
    const s = this.readState();
    if (!s) return;
    const d = s.daemons.find((x) => x.name === name);
    if (d) await stopDaemon(d);
    s.daemons = s.daemons.filter((x) => x.name !== name);
    await this.writeState(s);
  }

  private async waitHealthy(spec: ComponentSpec, d: Daemon, s: ControlPlaneState, opts: StartOptions): Promise<void> {
    const check = healthCheck(spec.name, s, this.layout);
    if (!check) return;
    try {
      await poll({
        what: `${spec.name} to be healthy`,
        intervalMs: 200,
        timeoutMs: opts.readyTimeoutMs ?? 60_000,
        signal: opts.signal,
        check: async () => {
          if (!isRunning(d)) throw new EnvironmentError(`${spec.name} exited`);
          const r = await check();
          return r === true ? { done: true, value: undefined } : { done: false, observed: r };
        },
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new EnvironmentError(
        `${spec.name} did not become healthy: ${(err as Error).message}\n--- last lines of ${d.log}\n${logTail(d.log)}`,
        {
          cause: err,
          hint: `its full log: ${d.log}`,
        },
      );
    }
  }

  apiserverReady(s: ControlPlaneState): Promise<true | string> {
    return httpsOk(`https://${LOOPBACK}:${s.ports.apiserver}/readyz`, {
      ca: readFileSync(apiserverCertFile(this.layout)),
      token: s.token,
    });
  }
}

/** A health probe per component; KWOK has no port, so it is judged by its node becoming Ready. */
function healthCheck(
  name: ComponentSpec['name'],
  s: ControlPlaneState,
  l: KwokLayout,
): (() => Promise<true | string>) | null {
  switch (name) {
    case 'etcd':
      return () => httpOk(`http://${LOOPBACK}:${s.ports.etcdClient}/health`);
    case 'kube-apiserver':
      return () =>
        existsSync(apiserverCertFile(l))
          ? httpsOk(`https://${LOOPBACK}:${s.ports.apiserver}/readyz`, {
              ca: readFileSync(apiserverCertFile(l)),
              token: s.token,
            })
          : Promise.resolve('no serving certificate yet');
    // Their certificates are self-signed in memory; /healthz on a loopback process we started is
    // a liveness probe, so the certificate is not checked.
    case 'kube-controller-manager':
      return () => httpsOk(`https://${LOOPBACK}:${s.ports.controllerManager}/healthz`, { insecure: true });
    case 'kube-scheduler':
      return () => httpsOk(`https://${LOOPBACK}:${s.ports.scheduler}/healthz`, { insecure: true });
    case 'kwok':
      return null;
  }
}

async function httpOk(url: string): Promise<true | string> {
  try {
    const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
    const body = await res.body.text();
    return res.statusCode === 200 ? true : `${res.statusCode} ${body.slice(0, 200)}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
}

async function httpsOk(url: string, o: { ca?: Buffer; token?: string; insecure?: boolean }): Promise<true | string> {
  const dispatcher = new Agent({
    connect: o.insecure ? { rejectUnauthorized: false } : { ca: o.ca },
  });
  try {
    const res = await request(url, {
      dispatcher,
      headersTimeout: 3000,
      bodyTimeout: 3000,
      headers: o.token ? { authorization: `Bearer ${o.token}` } : undefined,
    });
    const body = await res.body.text();
    return res.statusCode === 200 ? true : `${res.statusCode} ${body.slice(0, 300).replace(/\s+/g, ' ')}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  } finally {
    await dispatcher.close();
  }
}
