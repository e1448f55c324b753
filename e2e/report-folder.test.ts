/**
 * The report folder holds exactly one run, and nothing a plan says can put a report anywhere else:
 * no plan name or step name escapes it, two runs started together get two folders, and a folder
 * that already holds files is refused unless --overwrite empties it (a report folder only).
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meshproof } from './cli.js';
import { oneStepPlan, writePlan } from './quick-plan.js';

async function reportsRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'meshproof-reports-'));
}

/** Every file under `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('the report folder', () => {
  it('a plan name that climbs out of reports/ stays one folder inside it', async () => {
    const rootDir = await reportsRoot();
    const escape = join(rootDir, 'nested', 'deeper');
    await mkdir(escape, { recursive: true });
    // Joined unclean after the time stamp (`<stamp>-../../nested/deeper/x`), this lands in `escape`.
    const plan = await writePlan(oneStepPlan('../../nested/deeper/x'));
    const run = await meshproof(['run', plan, '--target', 'local', '--seed', '1'], {
      defaultReportDir: true,
      env: { MESHPROOF_REPORTS_DIR: rootDir },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(await readdir(escape)).toEqual([]);
    const folders = (await readdir(rootDir)).filter((f) => f !== 'nested');
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^\d{4}-\d\d-\d\dT\d{6}\.\d{3}Z-nested-deeper-x$/);
    expect(existsSync(join(rootDir, folders[0]!, 'results.json'))).toBe(true);
  });

  it('a plan name with separators and reserved characters makes one folder, not nested ones', async () => {
    const rootDir = await reportsRoot();
    const plan = await writePlan(oneStepPlan('a/b c:*?\\..\u0007'));
    const run = await meshproof(['run', plan, '--target', 'local', '--seed', '1'], {
      defaultReportDir: true,
      env: { MESHPROOF_REPORTS_DIR: rootDir },
    });
    expect(run.code, run.stderr).toBe(0);
    const [folder, ...others] = await readdir(rootDir);
    expect(others).toEqual([]);
    expect(folder).toMatch(/Z-a-b-c$/);
    expect((await tree(join(rootDir, folder!))).filter((f) => !f.includes('/') && !f.includes('\\')).sort()).toContain(
      'results.json',
    );
  });

  it('a step name that climbs out of applied/ stays inside applied/', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-e2e-'));
    const plan = await writePlan(oneStepPlan('steps', { step: '../../../escaped' }));
    const run = await meshproof(['run', plan, '--target', 'local', '--seed', '1', '--report-dir', join(dir, 'report')]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readdir(dir)).toEqual(['report']);
    expect(await readdir(join(dir, 'report', 'applied'))).toEqual(['escaped']);
  });

  it('two runs started together write two folders, each with its own report', async () => {
    const rootDir = await reportsRoot();
    const plan = await writePlan(oneStepPlan('twin'));
    const env = { MESHPROOF_REPORTS_DIR: rootDir };
    const runs = await Promise.all(
      [1, 2].map((seed) =>
        meshproof(['run', plan, '--target', 'local', '--seed', String(seed)], { defaultReportDir: true, env }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const folders = await readdir(rootDir);
    expect(folders).toHaveLength(2);
    const seeds = await Promise.all(
      folders.map(
        async (f) => (JSON.parse(await readFile(join(rootDir, f, 'results.json'), 'utf8')) as { seed: number }).seed,
      ),
    );
    expect(seeds.sort()).toEqual([1, 2]);
  }, 90_000);

  it('--report-dir at an earlier report is refused with exit 2 naming it, and left as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-e2e-'));
    await writeFile(join(dir, 'results.json'), '{"old":true}\n');
    await mkdir(join(dir, 'diagnostics'));
    const run = await meshproof(['tutorial', '--target', 'local', '--report-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(dir);
    expect(run.stderr).toContain('--overwrite');
    expect(await tree(dir)).toEqual(['diagnostics', 'results.json']);
  });

  it('--overwrite empties an earlier report first: nothing of the old run is left beside the new one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-e2e-'));
    await writeFile(join(dir, 'results.json'), '{"old":true}\n');
    await mkdir(join(dir, 'diagnostics', 'proxies'), { recursive: true });
    await mkdir(join(dir, 'applied', 'old-step'), { recursive: true });
    const plan = await writePlan(oneStepPlan('fresh'));
    const run = await meshproof(['run', plan, '--target', 'local', '--seed', '1', '--report-dir', dir, '--overwrite']);
    expect(run.code, run.stderr).toBe(0);
    const files = await tree(dir);
    expect(files.filter((f) => f.startsWith('diagnostics') || f.includes('old-step'))).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')).plan).toBe('fresh');
  });

  it('--overwrite never empties a folder that is not a report folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshproof-e2e-'));
    await writeFile(join(dir, 'thesis.tex'), 'precious\n');
    const run = await meshproof(['tutorial', '--target', 'local', '--report-dir', dir, '--overwrite']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(dir);
    expect(run.stderr).toMatch(/not look like a meshproof report folder/);
    expect(await readFile(join(dir, 'thesis.tex'), 'utf8')).toBe('precious\n');
  });
});
