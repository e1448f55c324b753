/**
 * Seeded VirtualService sets for the translation comparison: random matches (headers, URIs,
 * case), weights over the subsets, retries, timeouts, faults and header operations, spread over
 * several VirtualServices, each set applied over Bookinfo's destination rules.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { parseManifests, type LoadedObject } from '../../src/kube/manifest.js';
import { seededRandom, type Random } from '../../src/core/random.js';
import { PROJECT_DESTINATION_RULES } from '../../src/plan/load.js';

const SUBSETS: Record<string, string[]> = {
  reviews: ['v1', 'v2', 'v3'],
  ratings: ['v1'],
  details: ['v1'],
  productpage: ['v1'],
};

export type Json = Record<string, unknown>;

/** A generated manifest set: batches applied one after the other, compared after each. */
export interface GeneratedSet {
  name: string;
  batches: LoadedObject[][];
  /** Namespaces the objects live in besides default and istio-system, made before the set and kept. */
  namespaces?: string[];
  /** At least a second between batches, so their objects' creation times (whole seconds) differ. */
  secondApart?: boolean;
}

export function pick<T>(r: Random, xs: readonly T[]): T {
  return xs[Math.floor(r.next() * xs.length)]!;
}

export function chance(r: Random, p: number): boolean {
  return r.next() < p;
}

/** Through YAML like any plan's manifests: an object the API refuses is reported at a line. */
export function asManifest(object: Json, file: string): LoadedObject {
  return parseManifests(stringify(object), file)[0]!;
}

function stringMatch(r: Random, value: string): Json {
  return pick(r, [{ exact: value }, { prefix: value.slice(0, 3) }, { regex: `${value}.*` }]);
}

function match(r: Random): Json {
  const m: Json = {};
  if (chance(r, 0.6)) m.headers = { 'end-user': stringMatch(r, pick(r, ['jason', 'alice', 'bob'])) };
  if (chance(r, 0.4))
    m.uri = pick(r, [{ prefix: '/reviews' }, { exact: '/ratings/0' }, { prefix: '/' }, { regex: '/[a-z]+/[0-9]+' }]);
  if (chance(r, 0.2)) m.ignoreUriCase = true;
  if (chance(r, 0.15)) m.queryParams = { debug: { exact: '1' } };
  if (chance(r, 0.15)) m.withoutHeaders = { 'x-canary': { exact: 'off' } };
  return Object.keys(m).length ? m : { uri: { prefix: '/' } };
}

function weights(r: Random, host: string): Json[] {
  const subsets = SUBSETS[host]!;
  const n = 1 + Math.floor(r.next() * subsets.length);
  const chosen = [...subsets].sort(() => r.next() - 0.5).slice(0, n);
  if (chosen.length === 1) return [{ destination: { host, subset: chosen[0] } }];
  const cuts = chosen
    .slice(1)
    .map(() => Math.floor(r.next() * 21) * 5)
    .sort((a, b) => a - b);
  const bounds = [0, ...cuts, 100];
  return chosen.map((subset, i) => ({ destination: { host, subset }, weight: bounds[i + 1]! - bounds[i]! }));
}

function rule(r: Random, host: string, last: boolean): Json {
  const out: Json = {};
  if (!last || chance(r, 0.3)) out.match = Array.from({ length: 1 + Math.floor(r.next() * 2) }, () => match(r));
  out.route = weights(r, host);
  if (chance(r, 0.4))
    out.retries = pick(r, [
      { attempts: 0 },
      { attempts: 3, perTryTimeout: '2s' },
      { attempts: 2, retryOn: '5xx,connect-failure' },
      { attempts: 1, perTryTimeout: '500ms', retryOn: 'gateway-error' },
    ]);
  if (chance(r, 0.4)) out.timeout = pick(r, ['1s', '3s', '500ms', '15s']);
  if (chance(r, 0.3)) {
    out.fault = pick(r, [
      { delay: { percentage: { value: pick(r, [10, 50, 100]) }, fixedDelay: '2s' } },
      { abort: { percentage: { value: pick(r, [10, 100]) }, httpStatus: pick(r, [500, 503]) } },
    ]);
  }
  if (chance(r, 0.35)) {
    const headers: Json = {};
    if (chance(r, 0.7))
      headers.request = { set: { 'x-rehearsal': 'yes' }, ...(chance(r, 0.5) ? { remove: ['x-debug'] } : {}) };
    if (chance(r, 0.5))
      headers.response = { add: { 'x-served-by': host }, ...(chance(r, 0.5) ? { remove: ['server'] } : {}) };
    if (Object.keys(headers).length) out.headers = headers;
  }
  return out;
}

function virtualService(r: Random, host: string, name: string): LoadedObject {
  const rules = 1 + Math.floor(r.next() * 3);
  const http = Array.from({ length: rules }, (_, i) => rule(r, host, i === rules - 1));
  const object = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'default' },
    spec: { hosts: [host], http },
  };
  return asManifest(object, `generated/${name}.yaml`);
}

/** `count` sets, each: the destination rules, then 2 to 4 VirtualServices over different hosts. */
export function generatedSets(count: number, seed: number): GeneratedSet[] {
  const rules = parseManifests(readFileSync(PROJECT_DESTINATION_RULES, 'utf8'), PROJECT_DESTINATION_RULES);
  const root = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const r = root.fork(`set-${i}`);
    const hosts = ['reviews', 'ratings', 'details'].filter((h) => h === 'reviews' || chance(r, 0.6));
    const services = hosts.map((h) => virtualService(r, h, `gen-${i}-${h}`));
    return { name: `generated set ${i + 1} (seed ${seed})`, batches: [rules, services] };
  });
}
