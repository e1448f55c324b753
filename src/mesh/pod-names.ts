/**
 * Pod names shaped like the ones a Deployment's ReplicaSet gives its pods:
 * `<deployment>-<pod-template-hash>-<5 random>`, both parts in Kubernetes' safe alphabet
 * (no vowels, no confusable digits). The template hash depends on the seed and the pod template,
 * so the same manifests under the same seed give the same names.
 */
import { hash32, type Random } from '../core/random.js';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function encode(n: number, length: number): string {
  let out = '';
  let v = n >>> 0;
  for (let i = 0; i < length; i++) {
    out += ALPHABET[v % ALPHABET.length];
    v = Math.floor(v / ALPHABET.length) || hash32(`${n}:${i}`);
  }
  return out;
}

/** The ReplicaSet's hash for a pod template, under a seed. */
export function templateHash(seed: number, deployment: string, template: unknown): string {
  const text = `${seed}|${deployment}|${JSON.stringify(template)}`;
  return encode(hash32(text), 5) + encode(hash32(`${text}|2`), 5);
}

/** A new pod name; `taken` avoids collisions with pods that exist. */
export function podName(deployment: string, hash: string, random: Random, taken: (name: string) => boolean): string {
  for (;;) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += ALPHABET[Math.floor(random.next() * ALPHABET.length)];
    const name = `${deployment}-${hash}-${suffix}`;
    if (!taken(name)) return name;
  }
}
