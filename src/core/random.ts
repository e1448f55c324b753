import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

/** A seeded source of uniform numbers in [0, 1). Every random choice in meshproof goes through one. */
export interface Random {
  next(): number;
  /** An independent stream derived from this one and a label, so adding a consumer does not shift others. */
  fork(label: string): Random;
}

export function seededRandom(seed: number): Random {
  const gen = xoroshiro128plus(seed | 0);
  // The first outputs of a freshly seeded xoroshiro are poorly mixed for small seeds.
  for (let i = 0; i < 8; i++) gen.next();
  return {
    next: () => uniformFloat64(gen),
    fork: (label) => seededRandom(hash32(`${seed}:${label}`)),
  };
}

/** FNV-1a, to turn labels into seeds. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
