import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../plan/types.js';
import type { CheckSpec, CheckVerdict } from '../../runner/one-check.js';
import type { ControllerSplit, SplitSource } from '../../runner/read-split.js';
import { CACHE_MS, Verdicts, type VerdictRequest } from './verdicts.js';

/** A verifier whose checks end when the test says, recording the order they ran in. */
function fakeVerifier(split: Record<string, number> = { v1: 80, v3: 20 }) {
  const started: string[] = [];
  const pending: ((v: CheckVerdict) => void)[] = [];
  let revision = 'uid-1@1';
  return {
    started,
    pending,
    setRevision: (r: string) => (revision = r),
    async readSplit(src: SplitSource): Promise<ControllerSplit> {
      return { split, from: `Rollout ${src.namespace}/${src.name}`, revision };
    },
    check(spec: CheckSpec): Promise<CheckVerdict> {
      started.push(`${spec.host} ${JSON.stringify(spec.split)}`);
      return new Promise((resolve) => pending.push(resolve));
    },
  };
}

const verdict = (outcome: CheckVerdict['outcome']): CheckVerdict => ({
  outcome,
  expected: { v1: 80, v3: 20 },
  observed: { v1: 160, v3: 40 },
  intervals: { v1: [0.75, 0.85], v3: [0.15, 0.25] },
  requests: 200,
  alpha: 0.01,
  reason: 'why',
});

const request = (name = 'reviews', host = 'reviews'): VerdictRequest => ({
  source: { kind: 'rollout', namespace: 'default', name, versions: { stable: 'v1', canary: 'v3' } },
  host,
  user: 'anonymous',
  path: '/productpage',
});

/** Lets queued promise callbacks run. */
const tick = () => new Promise((r) => setImmediate(r));

async function setup() {
  const log = join(await mkdtemp(join(tmpdir(), 'serve-')), 'sub', 'verdicts.ndjson');
  const verifier = fakeVerifier();
  let now = 1_000;
  const verdicts = new Verdicts(verifier, { settings: DEFAULT_SETTINGS, log, now: () => now });
  return { log, verifier, verdicts, advance: (ms: number) => (now += ms) };
}

describe('Verdicts', () => {
  it('runs one check at a time, in the order asked', async () => {
    const { verifier, verdicts } = await setup();
    const a = verdicts.verdict(request('a'));
    const b = verdicts.verdict(request('b', 'shop'));
    await tick();
    expect(verifier.started).toEqual(['reviews {"v1":80,"v3":20}']);
    verifier.pending[0]!(verdict('passed'));
    await expect(a).resolves.toMatchObject({ verified: true, cached: false, from: 'Rollout default/a' });
    await tick();
    expect(verifier.started).toHaveLength(2);
    verifier.pending[1]!(verdict('failed'));
    await expect(b).resolves.toMatchObject({ verified: false, outcome: 'failed' });
  });

  it('answers a repeat for the same revision and split from the cache, without traffic', async () => {
    const { verifier, verdicts, advance } = await setup();
    const first = verdicts.verdict(request());
    const retry = verdicts.verdict(request()); // a controller's retry while the first is still checking
    await tick();
    verifier.pending[0]!(verdict('failed'));
    await first;
    await expect(retry).resolves.toMatchObject({ verified: false, cached: true });
    expect(verifier.started).toHaveLength(1);
    advance(CACHE_MS);
    const late = verdicts.verdict(request());
    await tick();
    expect(verifier.started).toHaveLength(2);
    verifier.pending[1]!(verdict('passed'));
    await expect(late).resolves.toMatchObject({ verified: true, cached: false });
  });

  it('checks again when the object has a new revision', async () => {
    const { verifier, verdicts } = await setup();
    const first = verdicts.verdict(request());
    await tick();
    verifier.pending[0]!(verdict('passed'));
    await first;
    verifier.setRevision('uid-1@2');
    void verdicts.verdict(request());
    await tick();
    expect(verifier.started).toHaveLength(2);
  });

  it('a check that throws does not stop the queue, and is not cached', async () => {
    const { log } = await setup();
    const failing = {
      readSplit: fakeVerifier().readSplit,
      check: () => Promise.reject(new Error('ingress gone')),
    };
    const v = new Verdicts(failing, { settings: DEFAULT_SETTINGS, log });
    await expect(v.verdict(request())).rejects.toThrow('ingress gone');
    await expect(v.verdict(request())).rejects.toThrow('ingress gone');
  });

  it('appends every verdict to the NDJSON log, cached ones too', async () => {
    const { log, verifier, verdicts } = await setup();
    const first = verdicts.verdict(request());
    await tick();
    verifier.pending[0]!(verdict('passed'));
    await first;
    await verdicts.verdict(request());
    const lines = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      object: 'rollout default/reviews',
      revision: 'uid-1@1',
      verified: true,
      cached: false,
      expected: { v1: 80, v3: 20 },
      requests: 200,
      alpha: 0.01,
    });
    expect(lines[1]).toMatchObject({ cached: true });
  });
});
