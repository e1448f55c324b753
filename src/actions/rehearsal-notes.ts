/**
 * What a plan asks of the mesh that the local rehearsal mesh stores but does not act on, found
 * offline (for `lint`): the same notes a run on the local target gives, with where they come from.
 */
import { objectRef } from '../kube/manifest.js';
import { knownDifferencesOf } from '../mesh/translate/known-differences.js';
import { unsimulated } from '../mesh/unsimulated.js';
import type { Plan } from '../plan/types.js';

export interface RehearsalNote {
  file: string;
  line: number;
  message: string;
}

export function rehearsalNotes(plan: Plan): RehearsalNote[] {
  const objects = [
    ...plan.setup.flatMap((m) => m.objects),
    ...plan.steps.flatMap((s) => s.objects),
    ...(plan.rollback?.objects ?? []),
  ];
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
  return [...notes, ...differenceNotes(objects, plan.namespace)];
}

/** Each known difference from istiod's translation once per plan, at the first object it concerns. */
function differenceNotes(objects: Plan['steps'][number]['objects'], namespace: string): RehearsalNote[] {
  const first = new Map<string, { note: RehearsalNote; more: number }>();
  for (const { object, source } of objects) {
    for (const d of knownDifferencesOf(object)) {
      const hit = first.get(d.reason);
      if (hit) hit.more++;
      else
        first.set(d.reason, {
          note: { file: source.file, line: source.lineOf(d.path), message: `${objectRef(object, namespace)}` },
          more: 0,
        });
    }
  }
  return [...first].map(([reason, { note, more }]) => {
    const also = more ? ` and ${more} more` : '';
    return { ...note, message: `${note.message}${also}: the local translation differs from istiod's: ${reason}` };
  });
}
