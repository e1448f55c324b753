import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { lintPlans } from '../../plan/lint.js';
import { rehearsalNotes } from '../../actions/rehearsal-notes.js';
import { unreachableVerdicts } from '../../runner/reachable-verdicts.js';
import { formatLocation, InputError, ExitCode } from '../../core/errors.js';

/**
 * `lint PLAN...`: every problem of every plan, offline. Exit 2 when any plan is invalid; warnings never change the exit
 * code.
 */
export async function lintCommand(args: CliArgs, io: SessionIO): Promise<number> {
  if (!args.positionals.length)
    throw new InputError([{ file: '<command line>', field: 'PLAN', message: 'lint needs at least one plan file' }]);
  const results = (await lintPlans(args.positionals)).map((r) => {
    // A plan that loads may still hold an expectation no run could decide, or one a correct split would too often
    // leave undecided: that is an error too.
    const unreachable = r.plan ? unreachableVerdicts(r.plan) : [];
    return unreachable.length ? { ...r, ok: false, issues: unreachable } : r;
  });
  const report = results.map(({ plan, ...r }) => ({
    ...r,
    notes: plan?.notes ?? [],
    localNotes: plan ? rehearsalNotes(plan) : [],
  }));
  // The findings are lint's output (stdout); with --json the JSON is stdout's only content and they go to stderr.
  const out = args.json ? io.stderr : io.stdout;
  for (const r of report) {
    if (r.ok) out.write(`ok    ${r.file}\n`);
    else for (const i of r.issues) out.write(`error ${formatLocation(i)}: ${i.message}\n`);
    for (const w of r.warnings) out.write(`warn  ${formatLocation(w)}: ${w.message}\n`);
    for (const n of r.notes) out.write(`note  ${n.file}${n.line ? `:${n.line}` : ''}: ${n.message}\n`);
    for (const n of r.localNotes) out.write(`note  ${n.file}:${n.line}: ${n.message} (on the local target)\n`);
  }
  if (args.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.badInput;
}
