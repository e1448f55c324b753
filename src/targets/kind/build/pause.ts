/**
 * The pause container's binary: Kubernetes' own build/pause/linux/pause.c from the k8s.io/kubernetes
 * module at the pinned version, compiled static with the host's gcc.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_PLANE } from '../../../istio/install/versions.js';
import type { KeyInput, Produced } from './cache.js';
import { run, type BuildContext } from './context.js';
import { moduleDir } from './go.js';

export const PAUSE_SOURCE = join('build', 'pause', 'linux', 'pause.c');

export function gccPauseArgs(source: string, out: string, tag: string): string[] {
  return ['-Os', '-static', '-Wall', `-DVERSION=v${tag}`, '-o', out, source];
}

export function pauseInputs(source: Buffer, gccVersion: string, tag: string): KeyInput[] {
  return [
    ['pause.c', source],
    ['kubernetes', CONTROL_PLANE.kubernetes],
    ['gcc', gccVersion],
    ['gcc args', gccPauseArgs('<src>', '<out>', tag).join(' ')],
  ];
}

/** `tag`: the pause tag kubeadm asks for (e.g. 3.10.2), the version the binary reports. */
export async function buildPause(ctx: BuildContext, tag: string): Promise<Produced & { binary: string }> {
  const k8sDir = await moduleDir(ctx.runner, 'k8s.io/kubernetes', CONTROL_PLANE.kubernetes, ctx.layout.work);
  const source = join(k8sDir, PAUSE_SOURCE);
  const machine = (await run(ctx, 'gcc', ['-dumpmachine'])).trim();
  const gcc = `${machine} ${(await run(ctx, 'gcc', ['-dumpfullversion'])).trim()}`;
  const p = await ctx.store.produce('pause', pauseInputs(readFileSync(source), gcc, tag), async (dir) => {
    await run(ctx, 'gcc', gccPauseArgs(source, join(dir, 'pause'), tag), {
      hint: 'pause needs gcc and a static libc (apt-get install gcc libc6-dev)',
    });
    await run(ctx, 'strip', [join(dir, 'pause')]);
  });
  return { ...p, binary: join(p.dir, 'pause') };
}
