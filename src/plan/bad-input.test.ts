/**
 * The corpus of broken plans and manifests in fixtures/bad/: each must stop loading with exit 2 and
 * exactly the issues cases.json lists (file, line, field, a fragment of the message), all at once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode, InputError, exitCodeOf, type InputIssue } from '../core/errors.js';
import { loadPlan } from './load.js';

const BAD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'bad');

interface ExpectedIssue {
  file: string;
  line: number;
  field: string | null;
  fragment: string;
}
interface Case {
  plan: string;
  issues: ExpectedIssue[];
}

const cases: Case[] = JSON.parse(readFileSync(join(BAD, 'cases.json'), 'utf8'));

async function issuesOf(plan: string): Promise<InputIssue[]> {
  try {
    await loadPlan(join(BAD, plan));
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect(exitCodeOf(err)).toBe(ExitCode.badInput);
    return (err as InputError).issues;
  }
  throw new Error(`${plan} loaded without an error`);
}

describe('broken plans and manifests', () => {
  it('the corpus has at least 25 cases and every plan in it is listed', () => {
    const plans = readdirSync(BAD)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(cases.map((c) => c.plan).sort()).toEqual(plans);
  });

  it.each(cases.map((c) => [c.plan, c] as const))('%s', async (_name, c) => {
    const issues = await issuesOf(c.plan);
    const shown = issues.map((i) => `${i.file}:${i.line} [${i.field}] ${i.message}`).join('\n');
    for (const want of c.issues) {
      const match = issues.find(
        (i) =>
          i.file === resolve(BAD, want.file) &&
          i.line === want.line &&
          i.field === (want.field ?? undefined) &&
          i.message.includes(want.fragment),
      );
      expect(
        match,
        `expected ${want.file}:${want.line} [${want.field}] "${want.fragment}" among:\n${shown}`,
      ).toBeDefined();
    }
    expect(issues, `unexpected extra issues:\n${shown}`).toHaveLength(c.issues.length);
  });
});
