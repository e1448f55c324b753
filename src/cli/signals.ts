/**
 * SIGINT/SIGTERM handling: the first signal stops traffic and lets the run roll back and write its
 * partial report; the second also stops a rollback in progress; the third exits at once.
 */
export interface Interrupts {
  signal: AbortSignal;
  hardSignal: AbortSignal;
  dispose(): void;
}

export function watchInterrupts(stderr: NodeJS.WritableStream): Interrupts {
  const soft = new AbortController();
  const hard = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      stderr.write(
        `\n${sig}: stopping — a run in progress stops its traffic, rolls back where the plan says how and ` +
          `writes its partial report (${sig} again skips the rollback)\n`,
      );
      soft.abort(sig);
    } else if (count === 2) {
      stderr.write(`\n${sig}: skipping the rollback\n`);
      hard.abort(sig);
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: soft.signal,
    hardSignal: hard.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
