/**
 * What a plan asks of the mesh that the local rehearsal mesh stores but does not act on, found
 * offline (for `lint`): the same notes a run on the local target gives, with where they come from.
 */
import { objectRef } from '../kube/manifest.js';
import { unsimulated } from '../mesh/unsimulated.js';
import type { Plan } from '../plan/types.js';

export interface RehearsalNote {
  file: string;
  line: number;
  message: string;
}

export function rehearsalNotes(plan: Plan): RehearsalNote[] {
  const objects = [...plan.setup.flatMap((m) => m.objects), ...plan.steps.flatMap((s) => s.objects), ...(plan.rollback?.objects ?? [])];
  const seen = new Set<string>();
  const notes: RehearsalNote[] = [];
  for (const { object, source } of objects) {
    for (const note of unsimulated(object)) {
      const message = `${objectRef(object, plan.namespace)}: ${note.text}`;
      const key = `${source.file}\u0000${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      notes.push({ file: source.file, line: source.lineOf(note.path), message });
    }
  }
  return notes;
}
