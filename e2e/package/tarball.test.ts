/**
 * The package as a user gets it: `npm pack`, installed into an empty folder with no registry,
 * then `npx meshproof` from there. Plans and manifests come from inside the package, reports go
 * under the user's folder, and a plan of the user's finds its manifests beside it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../cli.js';
import { installOffline, npmEnv, pack, writeConsumer } from '../../scripts/package/consumer.js';

let work: string;
let consumer: string;
let packed: { tarball: string; files: string[] };

/** `npx meshproof …` in the consumer folder, Docker out of reach so `auto` means the local mesh. */
function npx(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = npmEnv({ CI: 'true', DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` });
    execFile(
      'npx',
      ['--no', '--', 'meshproof', ...args],
      { cwd: consumer, env, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'meshproof-package-'));
  consumer = join(work, 'project');
  await mkdir(consumer);
  packed = await pack(root, work);
  await writeConsumer(consumer, packed.tarball, join(root, 'package-lock.json'));
  await installOffline(consumer);
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships the bundle, plans, manifests, examples, deploy, schemas, README, LICENSE, no sources or tests', () => {
    const top = new Set(packed.files.map((f) => f.split('/')[0]));
    expect([...top].sort()).toEqual(
      ['LICENSE', 'README.md', 'deploy', 'dist', 'examples', 'manifests', 'package.json', 'plans', 'schemas'].sort(),
    );
    for (const f of ['dist/meshproof.js', 'plans/tutorial.yaml', 'manifests/bookinfo/bookinfo.yaml'])
      expect(packed.files).toContain(f);
    expect(packed.files).toContain('schemas/results.schema.json');
    expect(packed.files.filter((f) => f.endsWith('.ts'))).toEqual([]);
  });

  it('is publishable, runs compiled JavaScript and needs no TypeScript loader', async () => {
    const pkg = JSON.parse(await readFile(join(consumer, 'node_modules', 'meshproof', 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ meshproof: 'dist/meshproof.js' });
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(existsSync(join(consumer, 'node_modules', 'tsx'))).toBe(false);
  });

  it('npx meshproof --version prints the version and the pinned versions', async () => {
    const run = await npx(['--version']);
    expect(run.code, run.stderr).toBe(0);
    const version = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version;
    expect(run.stdout.split('\n')[0]).toBe(`meshproof ${version}`);
    expect(run.stdout).toMatch(/^istio \S+/m);
    expect(run.stdout).toMatch(/^kind v\S+/m);
  });

  it('npx meshproof tutorial passes on the default target without Docker, its report under ./reports', async () => {
    const run = await npx(['tutorial']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('target: local rehearsal mesh');
    const folders = await readdir(join(consumer, 'reports'));
    expect(folders).toHaveLength(1);
    const results = JSON.parse(await readFile(join(consumer, 'reports', folders[0]!, 'results.json'), 'utf8'));
    expect(results.outcome).toBe('passed');
    expect(existsSync(join(consumer, 'node_modules', 'meshproof', 'reports'))).toBe(false);
  });

  it("a plan of the user's finds its manifests beside it, from whatever folder it runs", async () => {
    await cp(join(consumer, 'node_modules', 'meshproof', 'examples', 'own-plan'), join(consumer, 'checks'), {
      recursive: true,
    });
    const lint = await npx(['lint', 'checks/plan.yaml']);
    expect(lint.code, lint.stderr + lint.stdout).toBe(0);
    const run = await npx([
      'run',
      'checks/plan.yaml',
      '--target',
      'local',
      '--seed',
      '1',
      '--report-dir',
      'reports/own',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(await readFile(join(consumer, 'reports', 'own', 'results.json'), 'utf8'));
    expect(results.outcome).toBe('passed');
  });
});
