/**
 * Bad input applies nothing. A running local mesh is handed to the CLI's own session (the target
 * factory is replaced so the session gets this mesh instead of starting one); then broken plans
 * from src/plan/fixtures/bad/ go through the session as `meshproof run` sends them: each must be
 * refused with exit 2 naming file, line and field, without the session touching the target, and
 * the mesh's objects and every proxy's routes must be exactly as before. A valid plan whose
 * manifest the mesh itself refuses at apply time must leave the mesh as it was, too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExitCode, InputError, exitCodeOf } from '../src/core/errors.js';
import { paths } from '../src/core/paths.js';
import { loadManifestFile } from '../src/kube/manifest.js';
import { loadPlan } from '../src/plan/load.js';
import type { RunResults } from '../src/model/results.js';
import { runSession, type RunSessionOptions } from '../src/runner/session.js';
import { LocalTarget } from '../src/targets/local/local-target.js';
import type { Target } from '../src/targets/target.js';
import { root } from './cli.js';

/** Every call the session makes on the target, by method name. */
const calls: string[] = [];
let shared: LocalTarget;

// The session builds its target through createTarget; here it gets the running mesh, with every
// call recorded and close() kept from stopping it (the suite closes it at the end).
vi.mock('../src/targets/select.js', () => ({
  createTarget: vi.fn(
    async (): Promise<Target> =>
      new Proxy(shared, {
        get(t, key) {
          const v = Reflect.get(t, key, t) as unknown;
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            calls.push(String(key));
            return key === 'close' || key === 'down'
              ? Promise.resolve()
              : (v as (...a: unknown[]) => unknown).apply(t, args);
          };
        },
      }),
  ),
}));
const { createTarget } = await import('../src/targets/select.js');

const BAD = join(root, 'src', 'plan', 'fixtures', 'bad');

interface ExpectedIssue {
  file: string;
  line: number;
  field: string | null;
  fragment: string;
}
const cases: { plan: string; issues: ExpectedIssue[] }[] = JSON.parse(readFileSync(join(BAD, 'cases.json'), 'utf8'));

/**
 * A spread of what can be wrong: YAML, fields, weights, names, files, subsets, manifests, many at
 * once, the namespace fence.
 */
const PICKED = [
  'bad-yaml.yaml',
  'unknown-field-step.yaml',
  'rollback-unknown-field.yaml',
  'route-weights-sum.yaml',
  'duplicate-step-names.yaml',
  'missing-file.yaml',
  'undefined-subset-route.yaml',
  'undefined-subset-vs.yaml',
  'bad-regex.yaml',
  'wrong-kind.yaml',
  'deployment-no-image.yaml',
  'many-problems.yaml',
  'outside-namespace.yaml',
];

/** What the mesh holds: its objects (with server fields), pods, config version, and every proxy's routes. */
async function meshState(t: LocalTarget): Promise<unknown> {
  const s = t.mesh.state();
  const proxies = await t.proxies('default');
  const routes = await Promise.all(proxies.map(async (p) => [p.pod, await t.proxyRoutes(p)] as const));
  return {
    configVersion: s.configVersion,
    objects: s.objects,
    pods: s.pods,
    proxyVersions: s.proxies.map((p) => [p.pod, p.holdsVersion, p.pendingPushes]),
    routes: Object.fromEntries(routes),
  };
}

function sessionOptions(planFile: string, reportDir: string): RunSessionOptions {
  return {
    planFile,
    target: { choice: 'local', seed: 41 },
    overrides: {},
    reportDir,
    seed: 41,
    json: false,
    keep: false,
    signal: new AbortController().signal,
    hardSignal: new AbortController().signal,
  };
}

const sink = () => {
  let text = '';
  const stream = new Writable({ write: (c, _e, done) => ((text += String(c)), done()) });
  return { stream, text: () => text };
};

let before: unknown;
beforeAll(async () => {
  shared = new LocalTarget({ seed: 41, propagationDelayMs: { minMs: 5, maxMs: 40 } });
  const base = (
    await Promise.all(
      [
        ...paths.base,
        join(paths.manifests, 'istio', 'destination-rule-all.yaml'),
        join(paths.manifests, 'routing', 'virtual-service-all-v1.yaml'),
      ].map((f) => loadManifestFile(f)),
    )
  ).flat();
  await shared.up({ namespace: 'default', base });
  await shared.mesh.whenSettled();
  before = await meshState(shared);
});
afterAll(() => shared?.close());

describe('bad input through the session: refused, nothing applied', () => {
  it('the picked cases are in the corpus', () => {
    expect(PICKED.length).toBeGreaterThanOrEqual(8);
    for (const p of PICKED) expect(cases.map((c) => c.plan)).toContain(p);
  });

  it.each(PICKED)('%s: exit 2 naming file, line and field; the mesh untouched', async (name) => {
    const c = cases.find((x) => x.plan === name)!;
    const reportDir = join(await mkdtemp(join(tmpdir(), 'meshproof-bad-')), 'report');
    const out = sink();
    const err = sink();
    calls.length = 0;
    vi.mocked(createTarget).mockClear();

    const error = await runSession(sessionOptions(join(BAD, name), reportDir), {
      stdout: out.stream,
      stderr: err.stream,
      tty: false,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(exitCodeOf(error)).toBe(ExitCode.badInput);
    const issues = (error as InputError).issues;
    const shown = issues.map((i) => `${i.file}:${i.line} [${i.field}] ${i.message}`).join('\n');
    for (const want of c.issues) {
      const hit = issues.find(
        (i) =>
          i.file === resolve(BAD, want.file) &&
          i.line === want.line &&
          i.field === (want.field ?? undefined) &&
          i.message.includes(want.fragment),
      );
      expect(
        hit,
        `expected ${want.file}:${want.line} [${want.field}] "${want.fragment}" among:\n${shown}`,
      ).toBeDefined();
    }
    // Refused before anything else: no target made, nothing called on the mesh, no report folder, no traffic.
    expect(createTarget).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
    expect(existsSync(reportDir)).toBe(false);
    expect(await meshState(shared)).toEqual(before);
  });
});

describe('a valid plan whose manifest the mesh refuses at apply time', () => {
  const planFile = join(root, 'e2e', 'plans', 'fault-unknown-image.yaml');
  const manifest = join(root, 'e2e', 'plans', 'fault-unknown-image-deployment.yaml');

  it('passes the plan checks: the image is only known to be unrunnable by the target', async () => {
    const plan = await loadPlan(planFile);
    expect(plan.steps[0]!.objects.map((o) => `${o.object.kind} ${o.object.metadata.name}`)).toEqual([
      'Deployment reviews-v4',
      'VirtualService reviews',
    ]);
  });

  it('the whole batch is refused, exit 2 naming the image line; the route change in it is not applied', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'meshproof-refused-'));
    const err = sink();
    calls.length = 0;
    const results: RunResults = await runSession(sessionOptions(planFile, reportDir), {
      stdout: sink().stream,
      stderr: err.stream,
      tty: false,
    });

    expect(results.exitCode, err.text()).toBe(ExitCode.badInput);
    expect(results.outcome).toBe('error');
    expect(results.message).toContain(`${manifest}:18 (spec.template.spec.containers[0].image)`);
    expect(results.message).toContain('docker.io/istio/examples-bookinfo-reviews-v9:1.20.3');
    // The step whose batch was refused is listed as stopped with the refusal, any later one as not run.
    const [refused, ...later] = results.steps;
    expect(refused).toMatchObject({
      outcome: 'error',
      requests: 0,
      applied: [],
      notRun: expect.stringMatching(/^.*docker\.io\/istio\/examples-bookinfo-reviews-v9:1\.20\.3/),
    });
    for (const s of later)
      expect(s).toMatchObject({
        outcome: 'skipped',
        requests: 0,
        notRun: expect.stringMatching(/^the run stopped before this step: /),
      });
    expect(calls).toContain('apply');
    // The setup re-applied what the mesh already held (unchanged); the refused batch changed nothing.
    expect(await meshState(shared)).toEqual(before);
    expect(
      await shared.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews-v4', namespace: 'default' }),
    ).toBeNull();
    const written = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as RunResults;
    expect(written.exitCode).toBe(ExitCode.badInput);
    expect(written.message).toBe(results.message);
    expect(await readFile(join(reportDir, 'requests.ndjson'), 'utf8')).toBe('');
  });
});
