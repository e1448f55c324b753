/** What the target said it does not act on in what was applied: a warning, once per run each. */
import type { ApplyOutcome } from '../kube/object-key.js';
import type { RunContext } from './context.js';

export async function warnApplyNotes(ctx: RunContext, outcomes: readonly ApplyOutcome[]): Promise<void> {
  for (const o of outcomes) {
    for (const note of o.notes ?? []) {
      const message = `${o.ref}: ${note}`;
      if (ctx.noted.has(message)) continue;
      ctx.noted.add(message);
      await ctx.emit({ type: 'log', level: 'warn', message });
    }
  }
}
