/**
 * Issue 30, case 4: a `path` with a space or a character past Latin-1 hung a run forever (undici
 * refuses such a path synchronously, and the sampler lost the refusal). lint refuses it now, as a
 * proxy would, naming file, line and field; and if such a path reaches the sampler anyway, the
 * step ends at once with the reason.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshproof } from './cli.js';
import { oneStepPlan, writePlan } from './quick-plan.js';
import { IngressClient } from '../src/traffic/client.js';
import { Sampler, SamplingStoppedError } from '../src/traffic/sampler.js';
import { loadPlan } from '../src/plan/load.js';
import { runPlan } from '../src/runner/run-plan.js';
import { LocalTarget } from '../src/targets/local/local-target.js';
import { bookinfoClassifier } from '../src/bookinfo/classifier/index.js';
import { loadManifestFile } from '../src/kube/manifest.js';
import { paths } from '../src/core/paths.js';
import type { RunResults } from '../src/model/results.js';

/** A one-step plan whose expectation sends `path` (written as a YAML double-quoted string). */
function planWithPath(path: string): string {
  return oneStepPlan('paths').replace(
    '      - reviews: { v1: 100 }',
    `      - reviews: { v1: 100 }\n        path: ${path}`,
  );
}

/** Settles with `what`, or rejects once `ms` have passed: a hang fails the test instead of stalling it. */
function within<T>(ms: number, what: Promise<T>): Promise<T> {
  return Promise.race([
    what,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms).unref()),
  ]);
}

const UNSENDABLE = [
  ['a space', '"/productpage?q=a b"', /a space at position 17 cannot be sent as written: percent-encode it \(%20\)/],
  [
    'a character past Latin-1',
    '"/productpage?q=\\u0101"',
    /the non-ASCII character "ā" \(U\+0101\) at position 16 cannot be sent as written: percent-encode it \(%C4%81\)/,
  ],
  ['a control character', '"/productpage?q=\\t"', /the control character U\+0009 at position 16/],
  ['a bare %', '"/productpage?q=100%"', /"%" at position 19 does not start an escape of two hex digits/],
] as const;

describe('a request path that cannot be sent as written', () => {
  it.each(UNSENDABLE)('lint refuses %s, naming file, line and field', async (_what, path, message) => {
    const plan = await writePlan(planWithPath(path));
    const run = await meshproof(['lint', plan]);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`^error ${plan}:8 \\(steps\\[0\\]\\.expect\\[0\\]\\.path\\): path `, 'm'));
    expect(run.stdout).toMatch(message);
  });

  it('run refuses it too, before anything is applied', async () => {
    const plan = await writePlan(planWithPath(UNSENDABLE[0][1]));
    const run = await meshproof(['run', plan, '--target', 'local'], { timeoutMs: 20_000 });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/plan\.yaml:8 \(steps\[0\]\.expect\[0\]\.path\)/);
    expect(existsSync(join(run.reportDir, 'results.json'))).toBe(false);
  });

  it('a percent-encoded path passes lint', async () => {
    const run = await meshproof(['lint', await writePlan(planWithPath('"/productpage?q=a%20b%C4%81"'))]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});

describe('if such a path reaches the sampler anyway', () => {
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    server = createServer((_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('page v1'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it.each(['/productpage?q=a b', '/productpage?q=\u0101'])(
    'the sampler stops at once with undici’s reason (%j), and the client still sends good requests',
    async (path) => {
      // Fewer connections than workers: before, every refused request left a connection the pool never freed.
      const client = new IngressClient({ baseUrl, connections: 2, timeoutMs: 2_000 });
      try {
        const classify = () => ({ reviews: 'v1' as const, ratings: null, pod: 'p', format: 'html' as const });
        const sampler = new Sampler(client, { name: 'fake', classify }, performance.now(), () => undefined);
        const run = sampler.run({
          step: 's',
          expectation: 0,
          phase: 'verify',
          user: 'anonymous',
          path,
          concurrency: 8,
          maxRequests: 100,
          shouldContinue: () => true,
        });
        const err = await within(
          5_000,
          run.then(
            () => null,
            (e: unknown) => e,
          ),
        );
        expect(err).toBeInstanceOf(SamplingStoppedError);
        expect((err as Error).message).toMatch(/^cannot send GET ".*": invalid request path: /);
        // Refused before the pool saw it, or the pool was replaced: a good request still gets its answer.
        const answer = await within(5_000, client.send('/productpage'));
        expect(answer.status).toBe(200);
      } finally {
        await client.close();
      }
    },
  );

  it('a run whose plan holds one (lint bypassed) ends the step with the reason instead of hanging', async () => {
    const plan = await loadPlan(await writePlan(oneStepPlan('bypassed')));
    plan.steps[0]!.expect[0]!.path = '/productpage?q=a b';
    const local = new LocalTarget({ seed: 4, propagationDelayMs: { minMs: 5, maxMs: 20 } });
    const stop = new AbortController();
    try {
      const results: RunResults = await within(
        30_000,
        runPlan({
          plan,
          target: local,
          classifier: bookinfoClassifier,
          base: (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat(),
          emit: async () => undefined,
          reportDir: await mkdtemp(join(tmpdir(), 'meshproof-path-')),
          seed: 4,
          signal: stop.signal,
          hardSignal: stop.signal,
        }),
      );
      expect(results.exitCode).toBe(1);
      const step = results.steps[0]!;
      expect(step.outcome).toBe('error');
      expect(step.message).toMatch(
        /^step all-v1 stopped: cannot send GET "\/productpage\?q=a b": invalid request path/,
      );
      expect(step.expectations[0]).toMatchObject({ outcome: 'error', requests: 0 });
      expect(results.message).toContain('invalid request path');
    } finally {
      await local.close();
    }
  }, 40_000);
});
