/**
 * Delegate VirtualServices as istiod merges them (docs/research/istiod-translation.md, "Delegates"):
 * a root rule with `delegate: {name, namespace}` is replaced by the delegate's rules, each with the
 * root's match ANDed into its own and the root's other fields filling what the delegate leaves
 * unset, in the delegate's order. A delegate rule whose match conflicts with every root match is
 * dropped. Plain JSON in, plain JSON out: the mesh's translation and the runner's intent both use it.
 */
import { isMap } from '../validate/validate-common.js';

type Json = Record<string, any>;

/** Root fields a delegate rule takes over when it leaves them unset. */
const INHERITED = [
  'rewrite',
  'directResponse',
  'timeout',
  'retries',
  'fault',
  'mirror',
  'mirrorPercent',
  'mirrorPercentage',
  'corsPolicy',
  'mirrors',
  'headers',
];

/** The delegate's rules merged under one root rule; `[]` when every one conflicts with the root. */
export function mergeDelegateRules(root: Json, delegateRules: Json[]): Json[] {
  const out: Json[] = [];
  for (const sub of delegateRules) {
    const merged = mergeRule(root, structuredClone(sub));
    if (merged) out.push(merged);
  }
  return out;
}

function mergeRule(root: Json, rule: Json): Json | null {
  const match = mergeMatches(root.match ?? [], rule.match ?? []);
  if (match === null) return null;
  if (match.length) rule.match = match;
  else delete rule.match;
  const name = joinNames(root.name, rule.name);
  if (name) rule.name = name;
  for (const k of INHERITED) if (rule[k] === undefined && root[k] !== undefined) rule[k] = structuredClone(root[k]);
  return rule;
}

/** `root-sub`, or whichever is set. */
function joinNames(root: unknown, sub: unknown): string | undefined {
  if (typeof sub === 'string' && sub) return typeof root === 'string' && root ? `${root}-${sub}` : sub;
  return typeof root === 'string' && root ? root : undefined;
}

/** Every delegate match must fit under some root match; each fitting pair becomes one match. null = conflict. */
function mergeMatches(root: Json[], sub: Json[]): Json[] | null {
  if (!root.length) return sub;
  if (!sub.length) return root;
  const out: Json[] = [];
  for (const s of sub) {
    const fits = root.filter((r) => !conflicts(r, s));
    if (!fits.length) return null;
    for (const r of fits) out.push(mergeMatch(r, s));
  }
  return out;
}

function mergeMatch(root: Json, sub: Json): Json {
  const out: Json = { ...structuredClone(sub) };
  const name = joinNames(root.name, sub.name);
  if (name) out.name = name;
  for (const k of ['uri', 'scheme', 'method', 'authority', 'sourceNamespace', 'statPrefix'] as const)
    if (out[k] === undefined && root[k] !== undefined) out[k] = root[k];
  for (const k of ['headers', 'withoutHeaders', 'queryParams', 'sourceLabels'] as const) {
    if (root[k] !== undefined || sub[k] !== undefined) out[k] = { ...(root[k] ?? {}), ...(sub[k] ?? {}) };
  }
  if (!out.port && root.port) out.port = root.port;
  if (!out.gateways?.length && root.gateways?.length) out.gateways = root.gateways;
  return out;
}

/** istiod's hasConflict: a delegate match must narrow, never contradict, the root match. */
function conflicts(root: Json, leaf: Json): boolean {
  for (const k of ['uri', 'scheme', 'method', 'authority'] as const) if (stringConflict(root[k], leaf[k])) return true;
  for (const k of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    for (const [name, sm] of Object.entries(leaf[k] ?? {})) if (stringConflict(root[k]?.[name], sm)) return true;
  }
  if (Boolean(root.ignoreUriCase) !== Boolean(leaf.ignoreUriCase)) return true;
  if (root.port && leaf.port && root.port !== leaf.port) return true;
  if (root.sourceNamespace && leaf.sourceNamespace !== root.sourceNamespace) return true;
  for (const [k, v] of Object.entries(leaf.sourceLabels ?? {}))
    if (root.sourceLabels?.[k] !== undefined && root.sourceLabels[k] !== v) return true;
  const rg: string[] = root.gateways ?? [];
  const lg: string[] = leaf.gateways ?? [];
  return rg.length > 0 && lg.length > 0 && (rg.length < lg.length || lg.some((g) => !rg.includes(g)));
}

function stringConflict(root: unknown, leaf: unknown): boolean {
  if (!isMap(root) || !isMap(leaf)) return false;
  const [rx, rp, rr] = [str(root.exact), str(root.prefix), str(root.regex)];
  const [lx, lp, lr] = [str(leaf.exact), str(leaf.prefix), str(leaf.regex)];
  if (rr && (lr || lp || lx)) return true;
  if (lr && (rr || rp || rx)) return true;
  if (rx) return Boolean(lp) || lx !== rx;
  if (rp) {
    if (lp) return !lp.startsWith(rp);
    if (lx) return !lx.startsWith(rp);
  }
  return true;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
