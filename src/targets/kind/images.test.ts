import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archivePath, preloadImages } from './images.js';
import { FakeRunner, fail, ok } from '../../core/testing/fake-runner.js';
import { KindCli } from './kind-cli.js';
import { CommandError } from '../../core/errors.js';

const DIGEST = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

function dockerRunner() {
  let n = 0;
  return new FakeRunner()
    .on('docker', ['pull'], ok())
    .on('docker', ['image', 'inspect'], (args) => ok(`${args.at(-1)!.split(':')[0]}@${DIGEST(++n)}\n`))
    .on('docker', ['image', 'save'], (args) => {
      writeFileSync(args[args.indexOf('-o') + 1]!, 'tar');
      return ok();
    })
    .on('kind', ['load', 'image-archive'], ok());
}

describe('image preloading', () => {
  it('pulls for the node platform, saves once per digest, loads the archive; next time from the cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'meshproof-img-'));
    const runner = dockerRunner();
    const o = { runner, kind: new KindCli(runner), cluster: 'meshproof', cacheDir, platform: 'linux/arm64' };
    await preloadImages(['docker.io/istio/pilot:1.31.1', 'docker.io/istio/proxyv2:1.31.1'], o);
    expect(runner.argsOf('docker').filter((a) => a[0] === 'pull')).toEqual([
      ['pull', '--platform', 'linux/arm64', 'docker.io/istio/pilot:1.31.1'],
      ['pull', '--platform', 'linux/arm64', 'docker.io/istio/proxyv2:1.31.1'],
    ]);
    const first = archivePath(cacheDir, DIGEST(1));
    expect(first).toBe(join(cacheDir, 'images', `sha256-${'1'.repeat(64)}.tar`));
    expect(runner.argsOf('docker').find((a) => a[1] === 'save')).toEqual([
      'image',
      'save',
      '--platform',
      'linux/arm64',
      '-o',
      `${first}.partial`,
      'docker.io/istio/pilot:1.31.1',
    ]);
    expect(existsSync(first)).toBe(true);
    expect(existsSync(`${first}.partial`)).toBe(false);
    expect(runner.argsOf('kind')[0]).toEqual(['load', 'image-archive', first, '--name', 'meshproof']);

    const again = dockerRunner();
    await preloadImages(['docker.io/istio/pilot:1.31.1', 'docker.io/istio/proxyv2:1.31.1'], {
      ...o,
      runner: again,
      kind: new KindCli(again),
    });
    expect(again.argsOf('docker')).toEqual([]);
    expect(again.argsOf('kind').map((a) => a[2])).toEqual([first, archivePath(cacheDir, DIGEST(2))]);
  });

  it('leaves no partial archive when saving fails', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'meshproof-img-'));
    const runner = dockerRunner();
    runner.rules.unshift({
      command: 'docker',
      args: ['image', 'save'],
      result: (args) => (writeFileSync(args[args.indexOf('-o') + 1]!, 'half'), fail(1, 'no space left on device')),
    });
    const err = await preloadImages(['docker.io/istio/pilot:1.31.1'], {
      runner,
      kind: new KindCli(runner),
      cluster: 'meshproof',
      cacheDir,
      platform: 'linux/amd64',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(existsSync(`${archivePath(cacheDir, DIGEST(1))}.partial`)).toBe(false);
  });
});
