import type { CliArgs } from '../args.js';
import type { SessionIO } from '../../runner/session.js';
import { lintPlans } from '../../plan/lint.js';
import { rehearsalNotes } from '../../runner/rehearsal-notes.js';
import { formatLocation, InputError, ExitCode } from '../../core/errors.js';

/** `lint PLAN...`: every problem of every plan, offline. Exit 2 when any plan is invalid; warnings never change the exit code. */
export async function lintCommand(args: CliArgs, io: SessionIO): Promise<number> {
  if (!args.positionals.length) throw new InputError([{ file: '<command line>', field: 'PLAN', message: 'lint needs at least one plan file' }]);
  const results = await lintPlans(args.positionals);
  const report = results.map(({ plan, ...r }) => ({ ...r, notes: plan?.notes ?? [], localNotes: plan ? rehearsalNotes(plan) : [] }));
  for (const r of report) {
    if (r.ok) io.stderr.write(`ok    ${r.file}\n`);
    else for (const i of r.issues) io.stderr.write(`error ${formatLocation(i)}: ${i.message}\n`);
    for (const w of r.warnings) io.stderr.write(`warn  ${formatLocation(w)}: ${w.message}\n`);
    for (const n of r.notes) io.stderr.write(`note  ${n.file}${n.line ? `:${n.line}` : ''}: ${n.message}\n`);
    for (const n of r.localNotes) io.stderr.write(`note  ${n.file}:${n.line}: ${n.message} (on the local target)\n`);
  }
  if (args.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.badInput;
}
