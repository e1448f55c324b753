/**
 * Deployment rollout, decided by the rules `kubectl rollout status` uses, evaluated on every state
 * the API reports through a watch. The watch is resumed from the last resourceVersion when the
 * server closes it, and re-listed when the server says that version is gone (410).
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../core/errors.js';
import { formatMs } from '../core/duration.js';
import type { KubeClient } from './client.js';
import type { KubeObject } from './manifest.js';
import { apiFailure } from './api-error.js';

export type RolloutState = { done: true; message: string } | { done: false; failed: boolean; message: string };

/** The rollout rules for one Deployment state (missing numbers count as 0). */
export function deploymentRolloutState(d: KubeObject): RolloutState {
  const name = d.metadata.name;
  const spec = d.spec ?? {};
  const st = (d.status ?? {}) as Record<string, any>;
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  if (n(d.metadata.generation) > n(st.observedGeneration)) {
    return {
      done: false,
      failed: false,
      message:
        `Waiting for deployment spec update to be observed (generation ${n(d.metadata.generation)}, ` +
        `observed ${n(st.observedGeneration)})`,
    };
  }
  const progressing = (st.conditions ?? []).find((c: any) => c?.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  }
  const updated = n(st.updatedReplicas);
  if (typeof spec.replicas === 'number' && updated < spec.replicas) {
    return { done: false, failed: false, message: `${updated} out of ${spec.replicas} new replicas have been updated` };
  }
  if (n(st.replicas) > updated) {
    return { done: false, failed: false, message: `${n(st.replicas) - updated} old replicas are pending termination` };
  }
  if (n(st.availableReplicas) < updated) {
    return {
      done: false,
      failed: false,
      message: `${n(st.availableReplicas)} of ${updated} updated replicas are available`,
    };
  }
  return { done: true, message: `deployment "${name}" successfully rolled out` };
}

export interface RolloutWaitOptions {
  timeoutMs: number;
  /** Pause before re-listing after an error or before resuming a closed watch. Default 1000. */
  retryIntervalMs?: number;
  /** Asks the server to end each watch after this long (it is then resumed). Default 60. */
  watchTimeoutSeconds?: number;
  signal?: AbortSignal;
  onState?: (state: RolloutState, d: KubeObject) => void;
}

type WatchEnd =
  | { kind: 'done' }
  | { kind: 'failed'; message: string }
  | { kind: 'deleted' }
  | { kind: 'ended' }
  | { kind: 'gone' }
  | { kind: 'error'; err: unknown };

/** Waits until the Deployment has rolled out; rejects on a progress-deadline failure or the deadline. */
export async function waitForRollout(
  client: KubeClient,
  kc: KubeConfig,
  namespace: string,
  name: string,
  opts: RolloutWaitOptions,
): Promise<void> {
  const interval = opts.retryIntervalMs ?? 1000;
  const deadline = Date.now() + opts.timeoutMs;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  let observed = 'nothing observed yet';
  let resumes = 0;
  let resourceVersion: string | undefined;
  // Once seen, a Deployment that disappears will never roll out: waiting on would only time out.
  let seen = false;
  const deleted = () =>
    new EnvironmentError(
      `Deployment ${name}.${namespace} was deleted while waiting for it to roll out (last observed: ${observed})`,
    );
  const see = (d: KubeObject): RolloutState => {
    seen = true;
    const s = deploymentRolloutState(d);
    observed = s.message;
    resourceVersion = (d.metadata.resourceVersion as string | undefined) ?? resourceVersion;
    opts.onState?.(s, d);
    return s;
  };
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      if (Date.now() >= deadline) break;
      if (resourceVersion === undefined) {
        try {
          const list = await client.list('apps/v1', 'Deployment', namespace, {
            fieldSelector: `metadata.name=${name}`,
          });
          const d = list.items[0];
          if (!d && seen) throw deleted();
          if (!d) observed = `Deployment ${name}.${namespace} not found`;
          else {
            const s = see(d);
            if (s.done) return;
            if (s.failed)
              throw new EnvironmentError(`Deployment ${name}.${namespace} failed to roll out: ${s.message}`);
          }
          resourceVersion = list.resourceVersion;
        } catch (err) {
          if (err instanceof EnvironmentError && /failed to roll out|was deleted while/.test(err.message)) throw err;
          observed = `error: ${(err as Error).message}`;
          await pause(interval, signal);
          continue;
        }
      }
      const watchStarted = Date.now();
      const end = await watchOnce(
        kc,
        namespace,
        name,
        resourceVersion,
        opts.watchTimeoutSeconds ?? 60,
        signal,
        see,
        (rv) => {
          resourceVersion = rv;
        },
      );
      if (end.kind === 'done') return;
      if (end.kind === 'deleted') throw deleted();
      if (end.kind === 'failed')
        throw new EnvironmentError(`Deployment ${name}.${namespace} failed to roll out: ${end.message}`);
      resumes++;
      if (end.kind === 'gone') resourceVersion = undefined;
      // A server that ends watches at once must not turn this into a busy loop.
      if (end.kind === 'ended' && Date.now() - watchStarted < interval) await pause(interval, signal);
      if (end.kind === 'error') {
        observed = `watch error: ${apiFailure(end.err).message}`;
        resourceVersion = undefined;
        await pause(interval, signal);
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new EnvironmentError(
    `timed out after ${formatMs(opts.timeoutMs)} waiting for Deployment ${name}.${namespace} to roll out ` +
      `(watch resumed ${resumes} times, retry interval ${formatMs(interval)}); last observed: ${observed}`,
    { hint: 'see the events and pod states in the diagnostics folder' },
  );
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

function watchOnce(
  kc: KubeConfig,
  namespace: string,
  name: string,
  resourceVersion: string | undefined,
  timeoutSeconds: number,
  signal: AbortSignal,
  see: (d: KubeObject) => RolloutState,
  track: (resourceVersion: string) => void,
): Promise<WatchEnd> {
  return new Promise<WatchEnd>((resolve) => {
    let settled = false;
    let controller: AbortController | undefined;
    const finish = (e: WatchEnd) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(e);
    };
    const onAbort = () => finish({ kind: 'ended' });
    if (signal.aborted) return finish({ kind: 'ended' });
    signal.addEventListener('abort', onAbort);
    const query: Record<string, string | number | boolean> = {
      fieldSelector: `metadata.name=${name}`,
      allowWatchBookmarks: true,
      timeoutSeconds,
    };
    if (resourceVersion) query.resourceVersion = resourceVersion;
    new Watch(kc)
      .watch(
        `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`,
        query,
        (type: string, obj: any) => {
          if (type === 'ERROR') {
            // The server ends a watch whose resourceVersion is too old with a Status 410 event.
            return finish(
              obj?.code === 410 ? { kind: 'gone' } : { kind: 'error', err: { code: obj?.code, body: obj } },
            );
          }
          if (type === 'BOOKMARK') {
            // A bookmark carries only a newer resourceVersion to resume from, no state.
            if (obj?.metadata?.resourceVersion) track(obj.metadata.resourceVersion);
            return;
          }
          if (type === 'DELETED') return finish({ kind: 'deleted' });
          const s = see(obj as KubeObject);
          if (s.done) finish({ kind: 'done' });
          else if (s.failed) finish({ kind: 'failed', message: s.message });
        },
        (err: unknown) => {
          if (!err) return finish({ kind: 'ended' });
          return finish(apiFailure(err).status === 410 ? { kind: 'gone' } : { kind: 'error', err });
        },
      )
      .then((c) => {
        controller = c;
        if (settled) c.abort();
      })
      .catch((err) => finish({ kind: 'error', err }));
  });
}
