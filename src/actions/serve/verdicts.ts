/**
 * The verdicts `meshproof serve` gives (README, "Argo Rollouts and Flagger"): the expected split read from the
 * controller's object, then one check — one at a time, since two checks at once would share the ingress and each
 * slow the other's answers — cached per (object revision, split, request) so a controller's retries and its
 * analysis runs' repeats do not multiply traffic, and every verdict appended to an NDJSON log.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CheckSpec, CheckVerdict } from '../../runner/one-check.js';
import type { ControllerSplit, SplitSource } from '../../runner/read-split.js';
import type { Settings } from '../../plan/types.js';
import { formatWeights } from '../../plan/weights-flag.js';

/** What serving needs of a cluster and a mesh: the split a controller means, and one check of it. */
export interface Verifier {
  readSplit(src: SplitSource): Promise<ControllerSplit>;
  check(spec: CheckSpec): Promise<CheckVerdict>;
}

export interface VerdictRequest {
  source: SplitSource;
  host: string;
  user: string;
  path: string;
}

export interface ServeVerdict extends CheckVerdict {
  verified: boolean;
  /** Where the expected split was read. */
  from: string;
  /** True when an earlier check of the same revision and split answered. */
  cached: boolean;
}

/**
 * How long a verdict stands for the same object revision and split. Long enough to cover a controller's retries
 * (Flagger calls each webhook every analysis interval, Argo Rollouts re-measures at its own interval), short enough
 * that fixing the mesh without touching the object is seen within minutes.
 */
export const CACHE_MS = 5 * 60_000;

export class Verdicts {
  private readonly cache = new Map<string, { at: number; verdict: CheckVerdict }>();
  /** The tail of the queue: each check starts when the one before it ended, however it ended. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly verifier: Verifier,
    private readonly o: { settings: Settings; log: string; now?: () => number },
  ) {}

  async verdict(req: VerdictRequest): Promise<ServeVerdict> {
    const read = await this.verifier.readSplit(req.source);
    const key = cacheKey(req, read);
    const run = this.tail.then(() => this.checkOnce(key, req, read));
    this.tail = run.catch(() => undefined);
    const { verdict, cached } = await run;
    const answer: ServeVerdict = { ...verdict, verified: verdict.outcome === 'passed', from: read.from, cached };
    await this.log(req, read, answer);
    return answer;
  }

  /** Inside the queue: a verdict the one before may just have cached answers without traffic. */
  private async checkOnce(
    key: string,
    req: VerdictRequest,
    read: ControllerSplit,
  ): Promise<{ verdict: CheckVerdict; cached: boolean }> {
    const now = this.o.now ?? Date.now;
    const hit = this.cache.get(key);
    if (hit && now() - hit.at < CACHE_MS) return { verdict: hit.verdict, cached: true };
    const verdict = await this.verifier.check({
      host: req.host,
      user: req.user,
      path: req.path,
      split: read.split,
      settings: this.o.settings,
    });
    this.cache.set(key, { at: now(), verdict });
    return { verdict, cached: false };
  }

  private async log(req: VerdictRequest, read: ControllerSplit, v: ServeVerdict): Promise<void> {
    const { kind, namespace, name } = req.source;
    const line = {
      at: new Date((this.o.now ?? Date.now)()).toISOString(),
      object: `${kind} ${namespace}/${name}`,
      revision: read.revision,
      host: req.host,
      user: req.user,
      path: req.path,
      ...v,
    };
    await mkdir(dirname(this.o.log), { recursive: true });
    await appendFile(this.o.log, `${JSON.stringify(line)}\n`);
  }
}

function cacheKey(req: VerdictRequest, read: ControllerSplit): string {
  const { kind, namespace, name } = req.source;
  return [
    `${kind}:${namespace}/${name}@${read.revision}`,
    formatWeights(read.split),
    req.host,
    req.user,
    req.path,
  ].join(' ');
}
