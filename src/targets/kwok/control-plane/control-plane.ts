/**
 * The kwok target's control plane on loopback: etcd (data in a temporary folder), kube-apiserver,
 * kube-controller-manager, kube-scheduler and KWOK, started as detached processes whose pids and
 * ports are kept in state.json, so a later `up` reuses them and `down` (or an interrupt, or the
 * end of a run) stops them. A process of it that died is started again in place, with the same
 * ports, data and certificates; the state also says which process started the control plane and
 * whether that one stops it when it ends. state.json holds the admin token: owner-only, as the
 * kubeconfig and the keys. Logs stay in the cache folder for diagnostics.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { EnvironmentError } from '../../../core/errors.js';
import { withFileLock } from '../../../core/file-lock.js';
import { writePrivateFile } from '../../../core/private-file.js';
import { isAlive, type ProcessRef } from '../../../core/process-identity.js';
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
  /** The meshproof process that started it (or took it over), and whether that one stops it when it ends. */
  startedBy?: Starter;
}

export interface Starter extends ProcessRef {
  command: string;
  since: string;
  /** A run without --keep stops the control plane it started; `up` and --keep leave it running. */
  stopsIt: boolean;
}

/** The processes of the control plane proper; istiod (pilot-discovery) runs beside them and is restarted on its own. */
export const CORE_DAEMONS: readonly ComponentSpec['name'][] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];

export interface Health {
  /** Why it cannot be used or repaired in place; null when it can. */
  unusable: string | null;
  /** Recorded core processes that no longer run (restarted in place by restartInPlace). */
  dead: Daemon[];
}

export interface StartOptions {
  signal?: AbortSignal;
  /** Per process. Default 60 s. */
  readyTimeoutMs?: number;
  onStarted?: (name: string, ms: number) => void;
  /** Called before each process starts (KWOK needs its CRDs in the API before it starts). */
  beforeStart?: (name: ComponentSpec['name']) => Promise<void>;
  /** Recorded in the state: who starts it, and whether it stops it at its end. */
  startedBy?: Starter;
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

  /** It holds the admin token: written owner-only, whatever mode an older file had. */
  async writeState(s: ControlPlaneState): Promise<void> {
    await writePrivateFile(this.layout.state, `${JSON.stringify(s, null, 2)}\n`);
  }

  /**
   * Runs `fn` while no other meshproof process starts, repairs or stops this control plane (a
   * lock file beside state.json). Two processes that share it never both restart a dead istiod.
   */
  async exclusively<T>(o: { timeoutMs: number; signal?: AbortSignal }, fn: () => Promise<T>): Promise<T> {
    await mkdir(this.layout.dir, { recursive: true });
    return withFileLock(join(this.layout.dir, 'control-plane.lock'), { what: 'the kwok control plane', ...o }, fn);
  }

  /**
   * What is wrong with a recorded control plane: whether it can be used at all, and which of its
   * core processes died (each can be started again in place). istiod is not judged here.
   */
  health(s: ControlPlaneState): Health {
    if (!s.ports.kwok) return { unusable: 'started by an older meshproof (KWOK serves no kubelet port)', dead: [] };
    const dead = s.daemons.filter((d) => CORE_DAEMONS.includes(d.name as ComponentSpec['name']) && !isRunning(d));
    const missing = CORE_DAEMONS.filter((n) => !s.daemons.some((d) => d.name === n));
    if (missing.length) return { unusable: `never fully started: no ${missing.join(', ')}`, dead };
    if (dead.some((d) => d.name === 'etcd') && !existsSync(s.dataDir))
      return { unusable: `etcd is not running and its data folder ${s.dataDir} is gone`, dead };
    return { unusable: null, dead };
  }

  /** null when every recorded process runs and the API server is ready; else what is wrong (for doctor). */
  async problem(s: ControlPlaneState): Promise<string | null> {
    const { unusable } = this.health(s);
    if (unusable) return unusable;
    const dead = s.daemons.filter((d) => !isRunning(d)).map((d) => d.name);
    if (dead.length) return `not running: ${dead.join(', ')} (the next up starts each again in place)`;
    const ready = await this.apiserverReady(s).catch((err: Error) => err.message);
    return ready === true ? null : `kube-apiserver not ready: ${ready}`;
  }

  /** Whether the process that started it meant to stop it at its end and is gone (killed) without doing so. */
  orphaned(s: ControlPlaneState): Starter | null {
    return s.startedBy?.stopsIt && !isAlive(s.startedBy) ? s.startedBy : null;
  }

  /**
   * Starts each named core process again with its recorded ports, data and certificates, in the
   * order they start in, each healthy before the next; returns the state as it is now.
   */
  async restartInPlace(
    names: string[],
    opts: {
      readyTimeoutMs?: number;
      signal?: AbortSignal;
      onRestarted?: (before: Daemon, after: Daemon, ms: number) => void;
    },
  ): Promise<ControlPlaneState> {
    const s = this.readState();
    if (!s) throw new EnvironmentError('no control plane state: nothing to restart in place');
    for (const spec of this.specs(s).filter((c) => names.includes(c.name))) {
      opts.signal?.throwIfAborted();
      const before = s.daemons.find((d) => d.name === spec.name)!;
      if (isRunning(before)) continue;
      const t0 = Date.now();
      const d = startDaemon({ ...spec, log: before.log });
      s.daemons = s.daemons.map((x) => (x.name === spec.name ? d : x));
      await this.writeState(s);
      await this.waitHealthy(spec, d, s, opts);
      opts.onRestarted?.(before, d, Date.now() - t0);
    }
    return s;
  }

  /** Until the API server answers /readyz, for at most `timeoutMs`; true, or what it answered last. */
  async waitReady(s: ControlPlaneState, timeoutMs: number, signal?: AbortSignal): Promise<true | string> {
    return poll({
      what: 'kube-apiserver to be ready',
      intervalMs: 250,
      timeoutMs,
      ...(signal ? { signal } : {}),
      check: async () => {
        const ready = await this.apiserverReady(s).catch((err: Error) => err.message);
        return ready === true ? { done: true as const, value: true as const } : { done: false, observed: ready };
      },
    }).catch((err: Error) => {
      if (signal?.aborted) throw err;
      return err.message;
    });
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
      ...(opts.startedBy ? { startedBy: opts.startedBy } : {}),
    };
    await writePrivateFile(
      l.kubeconfig,
      kubeconfigYaml({
        server: `https://${LOOPBACK}:${ports.apiserver}`,
        caFile: apiserverCertFile(l),
        token: creds.token,
      }),
    );
    for (const spec of this.specs(state)) {
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

  private specs(s: ControlPlaneState): ComponentSpec[] {
    return componentSpecs({
      bin: (n) => this.bin(n),
      layout: this.layout,
      ports: s.ports,
      dataDir: s.dataDir,
      stagesFile: join(binDir(this.cacheDir), KWOK_STAGES_FILE),
    });
  }

  private async waitHealthy(
    spec: ComponentSpec,
    d: Daemon,
    s: ControlPlaneState,
    opts: Pick<StartOptions, 'readyTimeoutMs' | 'signal'>,
  ): Promise<void> {
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
