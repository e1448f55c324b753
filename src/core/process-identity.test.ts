import { describe, expect, it } from 'vitest';
import { commandLine, isAlive, processStart, sameProcess, thisProcess } from './process-identity.js';
import { endedProcess, liveProcess } from './testing/other-process.js';

describe('process identity', () => {
  it('this process runs; a process that ended does not, nor one whose pid now has another start', async () => {
    expect(isAlive(thisProcess())).toBe(true);
    const other = await liveProcess();
    try {
      expect(isAlive(other)).toBe(true);
      expect(isAlive({ pid: other.pid, start: '1' })).toBe(process.platform !== 'linux');
    } finally {
      await other.stop();
    }
    expect(isAlive(await endedProcess())).toBe(false);
  });

  it('knows a process by pid and start together', () => {
    const me = thisProcess();
    if (process.platform === 'linux') expect(me.start).toMatch(/^\d+$/);
    expect(processStart(me.pid)).toBe(me.start);
    expect(sameProcess(me, { ...me })).toBe(true);
    expect(sameProcess(me, { pid: me.pid, start: 'other' })).toBe(false);
  });

  it('says how the process was started, as a person would type it', () => {
    expect(
      commandLine(['/usr/bin/node', '/repo/bin/meshproof.js', 'run', 'plans/my plan.yaml', '--target', 'kwok']),
    ).toBe("meshproof run 'plans/my plan.yaml' --target kwok");
  });
});
