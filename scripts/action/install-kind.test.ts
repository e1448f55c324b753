/**
 * scripts/action/install-kind.sh under a stubbed runner: curl serves files from a folder, uname says
 * which machine this is. What cannot run here is the real download from kind.sigs.k8s.io.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runStep, stubRunner, type StubRunner } from './stub-runner.js';

const FAKE_KIND = '#!/bin/sh\necho "kind v0.33.0 (stand-in)"\n';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let runner: StubRunner;
let served: string;

/** Serves `kind-<os>-<arch>` and its .sha256sum (published checksum `published`). */
async function serve(file: string, published = sha(FAKE_KIND)): Promise<void> {
  await writeFile(join(served, file), FAKE_KIND);
  await writeFile(join(served, `${file}.sha256sum`), `${published}  ${file}\n`);
}

beforeEach(async () => {
  runner = await stubRunner();
  served = join(runner.cwd, '..', 'served');
  await mkdir(served);
  // curl -fsSLo FILE URL: copies the served file named like the URL's last segment, logs the URL.
  await runner.stub(
    'curl',
    `out="$2"; url="$3"; echo "$url" >> "${served}/requests"; ` +
      `[ -f "${served}/\${url##*/}" ] || exit 22; cp "${served}/\${url##*/}" "$out"`,
  );
  await runner.stub('uname', 'case "$1" in -s) echo "${FAKE_OS:-Linux}" ;; -m) echo "${FAKE_ARCH:-x86_64}" ;; esac');
});

const installed = () => join(runner.env.RUNNER_TEMP, 'meshproof-bin', 'kind');

describe('install-kind.sh', () => {
  it('installs kind when it matches both the published and the pinned checksum, and puts it on PATH', async () => {
    await serve('kind-linux-amd64');
    const run = await runStep(runner, 'install-kind.sh', { KIND_VERSION: 'v0.33.0', KIND_SHA256: sha(FAKE_KIND) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await readFile(join(served, 'requests'), 'utf8')).toBe(
      'https://kind.sigs.k8s.io/dl/v0.33.0/kind-linux-amd64\n' +
        'https://kind.sigs.k8s.io/dl/v0.33.0/kind-linux-amd64.sha256sum\n',
    );
    expect(await readFile(installed(), 'utf8')).toBe(FAKE_KIND);
    expect(await runner.read('GITHUB_PATH')).toBe(`${join(runner.env.RUNNER_TEMP, 'meshproof-bin')}\n`);
    expect(run.stdout).toContain('kind v0.33.0 (stand-in)');
  });

  it('refuses a binary that differs from the published checksum, installing nothing', async () => {
    await serve('kind-linux-amd64', sha('something else'));
    const run = await runStep(runner, 'install-kind.sh', { KIND_VERSION: 'v0.33.0', KIND_SHA256: '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::kind v0\.33\.0 \(kind-linux-amd64\): checksum \w+ differs from the published/m,
    );
    expect(existsSync(installed())).toBe(false);
    expect(await runner.read('GITHUB_PATH')).toBe('');
  });

  it('refuses a binary that matches its published checksum but not the pinned one', async () => {
    await serve('kind-linux-amd64');
    const run = await runStep(runner, 'install-kind.sh', { KIND_VERSION: 'v0.33.0', KIND_SHA256: sha('pinned') });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`differs from the pinned ${sha('pinned')}`);
    expect(existsSync(installed())).toBe(false);
  });

  it('relies on the published checksum alone when no pin is given, and picks the binary for the machine', async () => {
    await serve('kind-darwin-arm64');
    const run = await runStep(runner, 'install-kind.sh', {
      KIND_VERSION: 'v0.34.0',
      KIND_SHA256: '',
      FAKE_OS: 'Darwin',
      FAKE_ARCH: 'arm64',
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await readFile(join(served, 'requests'), 'utf8')).toContain('/dl/v0.34.0/kind-darwin-arm64\n');
  });

  it('says so when the download fails', async () => {
    const run = await runStep(runner, 'install-kind.sh', { KIND_VERSION: 'v9.9.9', KIND_SHA256: '' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::kind: cannot download https://kind.sigs.k8s.io/dl/v9.9.9/kind-linux-amd64');
  });
});
