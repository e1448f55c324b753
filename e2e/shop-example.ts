/**
 * examples/shop for the suites that run it (the local target's in own-services.test.ts, kwok's in
 * kwok/own-services.suite.ts): where it is, and copies of it with the plan edited.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './cli.js';

export const SHOP = join(root, 'examples', 'shop');

/** The canary step's expectation, as the example writes it. */
const CANARY_SPLIT = 'versions: { v1: 90, v2: 10 }';

/** A copy of the shop example with its plan edited; an edit that changes nothing is an error. */
export async function shopWith(edit: (plan: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshproof-shop-'));
  await cp(SHOP, dir, { recursive: true });
  const file = join(dir, 'plan.yaml');
  const before = await readFile(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error('the edit changed nothing: the example plan moved on');
  await writeFile(file, after);
  return file;
}

/** The canary step expecting `split` instead of the 90/10 its route sends (`{ v1: 50, v2: 50 }`: a weight off). */
export function shopExpecting(split: string): Promise<string> {
  return shopWith((p) => p.replace(CANARY_SPLIT, `versions: ${split}`));
}
