/** applied/<step>/<nn>-<kind>-<name>.yaml: exactly the YAML each step applied, one file per object. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent } from '../../model/events.js';
import type { Reporter } from '../reporter.js';
import { safeSegment } from './write.js';

export const APPLIED_DIR = 'applied';

export class AppliedYamlReporter implements Reporter {
  readonly name = 'applied';
  /** Files written per step folder, so a second `applied` event for a step keeps numbering. */
  private readonly counts = new Map<string, number>();
  readonly written: string[] = [];

  constructor(private readonly reportDir: string) {}

  async onEvent(e: RunEvent): Promise<void> {
    if (e.type !== 'applied' || !e.objects.length) return;
    const stepDir = safeSegment(e.step, 'step');
    const dir = join(this.reportDir, APPLIED_DIR, stepDir);
    await mkdir(dir, { recursive: true });
    for (const o of e.objects) {
      const n = (this.counts.get(stepDir) ?? 0) + 1;
      this.counts.set(stepDir, n);
      const file = join(dir, appliedFileName(n, o.ref));
      await writeFile(file, o.yaml.endsWith('\n') ? o.yaml : `${o.yaml}\n`);
      this.written.push(file);
    }
  }
}

/** `VirtualService reviews.default` as the 3rd object → `03-virtualservice-reviews.yaml`. */
export function appliedFileName(n: number, ref: string): string {
  const [kind = 'object', qualified = ''] = ref.trim().split(/\s+/, 2);
  // `name.namespace`: names may hold dots, namespaces may not, so only the last one separates.
  const dot = qualified.lastIndexOf('.');
  const name = dot > 0 ? qualified.slice(0, dot) : qualified;
  return `${String(n).padStart(2, '0')}-${safeSegment(kind, 'object')}-${safeSegment(name)}.yaml`;
}
