/** Command-line flags (README.md, Commands), parsed with node's own parseArgs. */
import { parseArgs } from 'node:util';
import { InputError } from '../core/errors.js';
import { MAX_CONCURRENCY } from '../plan/limits.js';

export const FLAGS = {
  target: { type: 'string', default: 'auto' },
  'report-dir': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'ingress-url': { type: 'string' },
  'version-from': { type: 'string' },
  seed: { type: 'string' },
  alpha: { type: 'string' },
  tolerance: { type: 'string' },
  'relative-tolerance': { type: 'string' },
  'max-requests': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  shared: { type: 'boolean', default: false },
  overwrite: { type: 'boolean', default: false },
  reuse: { type: 'boolean', default: false },
  name: { type: 'string' },
  'host-port': { type: 'string' },
  'deploy-bookinfo': { type: 'boolean', default: false },
  'preload-images': { type: 'boolean', default: false },
  'purge-cache': { type: 'boolean', default: false },
  open: { type: 'boolean', default: false },
  host: { type: 'string' },
  weights: { type: 'string' },
  user: { type: 'string' },
  path: { type: 'string' },
  'from-rollout': { type: 'string' },
  'from-canary': { type: 'string' },
  'stable-version': { type: 'string' },
  'canary-version': { type: 'string' },
  apply: { type: 'string', multiple: true },
  port: { type: 'string' },
  log: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

export type TargetChoice = 'auto' | 'local' | 'kind' | 'existing' | 'kwok';

export interface CliArgs {
  command: string | undefined;
  positionals: string[];
  target: TargetChoice;
  reportDir?: string;
  kubeconfig?: string;
  context?: string;
  ingressUrl?: string;
  /** classify: `header:NAME`, `json:PATH` or `regex:RE2`, checked by the command. */
  versionFrom?: string;
  seed?: number;
  alpha?: number;
  tolerance?: number;
  relativeTolerance?: number;
  maxRequests?: number;
  concurrency?: number;
  json: boolean;
  keep: boolean;
  shared: boolean;
  overwrite: boolean;
  reuse: boolean;
  clusterName?: string;
  hostPort?: number;
  deployBookinfo: boolean;
  preloadImages: boolean;
  purgeCache: boolean;
  open: boolean;
  /** verify: the service whose split is checked (`reviews`: Bookinfo's, through productpage). */
  host?: string;
  /** verify: `v1=80,v3=20`, parsed by the command. */
  weights?: string;
  user?: string;
  path?: string;
  /** verify: `NS/NAME` of an Argo Rollout or a Flagger Canary to read the expected split from. */
  fromRollout?: string;
  fromCanary?: string;
  stableVersion?: string;
  canaryVersion?: string;
  /** verify on the local mesh: manifests to apply (and settle) first. */
  apply: string[];
  /** serve: the port to listen on. */
  port?: number;
  /** serve: the NDJSON file every verdict is appended to. */
  log?: string;
  help: boolean;
  version: boolean;
}

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError([{ file: '<command line>', message: (err as Error).message }]);
  }
  const v = parsed.values;
  const target = v.target as string;
  if (!['auto', 'local', 'kind', 'existing', 'kwok'].includes(target))
    flagError('--target', `must be auto, local, kind, existing or kwok, not "${target}"`);
  const [command, ...positionals] = parsed.positionals;
  // Only the existing target reaches its mesh through a URL it is given; the others make their own
  // ingress and would ignore the flag, sending the traffic somewhere the user did not say.
  if (v['ingress-url'] !== undefined && target !== 'existing') ingressUrlIgnored(command, target);
  return {
    command,
    positionals,
    target: target as TargetChoice,
    ...opt('reportDir', v['report-dir']),
    ...opt('kubeconfig', v.kubeconfig),
    ...opt('context', v.context),
    ...opt('ingressUrl', ingressUrl(v['ingress-url'])),
    ...opt('versionFrom', v['version-from']),
    ...opt('clusterName', v.name),
    ...opt('seed', num('--seed', v.seed, { integer: true, min: 0, max: MAX_SEED })),
    ...opt('alpha', num('--alpha', v.alpha, { open01: true })),
    ...opt('tolerance', num('--tolerance', v.tolerance, { open01: true })),
    ...opt('relativeTolerance', num('--relative-tolerance', v['relative-tolerance'], { open01: true })),
    ...opt('maxRequests', num('--max-requests', v['max-requests'], { integer: true, min: 1 })),
    ...opt('concurrency', num('--concurrency', v.concurrency, { integer: true, min: 1, max: MAX_CONCURRENCY })),
    ...opt('hostPort', num('--host-port', v['host-port'], { integer: true, min: 1, max: 65535 })),
    json: v.json,
    keep: v.keep,
    shared: v.shared,
    overwrite: v.overwrite,
    reuse: v.reuse,
    deployBookinfo: v['deploy-bookinfo'],
    preloadImages: v['preload-images'],
    purgeCache: v['purge-cache'],
    open: v.open,
    ...opt('host', v.host),
    ...opt('weights', v.weights),
    ...opt('user', v.user),
    ...opt('path', v.path),
    ...opt('fromRollout', v['from-rollout']),
    ...opt('fromCanary', v['from-canary']),
    ...opt('stableVersion', v['stable-version']),
    ...opt('canaryVersion', v['canary-version']),
    apply: v.apply ?? [],
    ...opt('port', num('--port', v.port, { integer: true, min: 0, max: 65535 })),
    ...opt('log', v.log),
    help: v.help,
    version: v.version,
  };
}

function opt<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

/**
 * Seeds are whole numbers that fit 32 bits: the random generator is seeded with 32 bits, so larger ones would collide.
 */
export const MAX_SEED = 2 ** 32 - 1;

const NUMERIC_FLAGS = new Set([
  '--seed',
  '--alpha',
  '--tolerance',
  '--relative-tolerance',
  '--max-requests',
  '--concurrency',
  '--host-port',
  '--port',
]);

/**
 * `--seed -1` as `--seed=-1`: parseArgs takes a value that starts with a dash for a flag and calls
 * the option "ambiguous"; joined, the value reaches the range check and gets a clear message.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (NUMERIC_FLAGS.has(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** An http or https URL, checked at once: anything else would only fail after a minute of retries. */
function ingressUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    flagError('--ingress-url', `must be an http:// or https:// URL such as http://127.0.0.1:8080, not "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    flagError('--ingress-url', `must be an http:// or https:// URL, not ${url.protocol} ("${raw}")`);
  if (url.username || url.password || url.search || url.hash)
    flagError('--ingress-url', `is the gateway's base URL: no credentials, query or fragment ("${raw}")`);
  return raw;
}

/** Commands that reach a mesh through a target; the rest (lint, report, classify) reach none. */
const TARGET_COMMANDS = new Set(['run', 'tutorial', 'verify', 'serve', 'up', 'down', 'doctor']);

function ingressUrlIgnored(command: string | undefined, target: string): never {
  const who =
    command !== undefined && !TARGET_COMMANDS.has(command)
      ? `${command} reaches no mesh`
      : `--target ${target}${target === 'auto' ? ' (kind or local)' : ''} makes its own ingress`;
  return flagError('--ingress-url', `is for --target existing only: ${who} and would ignore it`);
}

function num(
  flag: string,
  raw: string | undefined,
  c: { integer?: boolean; min?: number; max?: number; open01?: boolean },
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || raw.trim() === '') flagError(flag, `must be a number, not "${raw}"`);
  if (c.integer && !/^\s*[-+]?\d+\s*$/.test(raw)) flagError(flag, `must be a whole number, not ${raw}`);
  // Past 2^53 a number is rounded: 99999999999999999999 would run (and print) as 100000000000000000000.
  if (c.integer && !Number.isSafeInteger(n) && (c.max === undefined || n <= c.max))
    flagError(flag, `must be a whole number below 2^53, not ${raw}`);
  if (c.open01 && !(n > 0 && n < 1)) flagError(flag, `must be between 0 and 1 (exclusive), not ${raw}`);
  if (c.min !== undefined && n < c.min) flagError(flag, `must be at least ${c.min}, not ${raw}`);
  if (c.max !== undefined && n > c.max) flagError(flag, `must be at most ${c.max}, not ${raw}`);
  return n;
}

function flagError(flag: string, message: string): never {
  throw new InputError([{ file: '<command line>', field: flag, message: `${flag} ${message}` }]);
}

export const USAGE = `meshproof — prove that a service mesh routes traffic the way its configuration says

Usage: meshproof <command> [flags]

Commands:
  tutorial            run plans/tutorial.yaml: all traffic to v1, then reviews to v3, checked
  run PLAN            run a plan
  verify              one check, no plan, of the routes in place: --weights v1=80,v3=20, or the
                      split an Argo Rollout (--from-rollout NS/NAME) or a Flagger Canary
                      (--from-canary NS/NAME) means, with --stable-version V --canary-version V;
                      [--host reviews] [--user U] [--path P]; on --target local, --apply FILE
                      (repeatable) puts routes in place first. Exit 0 passed, 1 failed or
                      inconclusive, 2 bad input, 3 environment
  serve               answer Argo Rollouts' web metric provider (/argo/verify) and Flagger's
                      webhooks (/flagger/rollout, …) with verdicts from real traffic, one at a
                      time, until Ctrl-C ([--port N] default 8099, [--log FILE] NDJSON, default
                      reports/serve-verdicts.ndjson)
  lint PLAN...        validate plans and the manifests they name, offline; nothing is applied
  up                  create or reuse the environment for the target
  down                delete what up created: the kind cluster (--purge-cache also drops
                      downloads), the kwok control plane's processes; local and existing have
                      nothing to delete and say so
  doctor              check the prerequisites of the kind target (--target existing: the cluster;
                      --target kwok: the kwok target's binaries, Go, and what is not real)
  report DIR          re-render summary.md and index.html from DIR/results.json (--open to view)
  classify FILE|URL   print what meshproof sees in one productpage page or reviews JSON; with
                      --version-from header:NAME|json:PATH|regex:RE2 the version a plan's
                      versionFrom would read from that answer

Flags:
  --target auto|local|kind|existing|kwok
                       where the mesh is (default auto: kind when Docker and kind are usable, else
                       the local rehearsal mesh; kwok: a real Kubernetes and Istio control plane
                       on 127.0.0.1 built from Go modules, pods faked, no data plane)
  --report-dir DIR     where reports go (default reports/<timestamp>-<plan>, new each run);
                       an existing non-empty folder is refused unless --overwrite (a report
                       folder only: one holding results.json)
  --kubeconfig FILE    --context NAME   --ingress-url URL     for --target existing
                       (--ingress-url: the gateway's http:// or https:// base URL)
  --name NAME          --host-port N    --reuse   --preload-images   for --target kind
  --deploy-bookinfo    deploy Bookinfo on an existing cluster during up
  --seed N             seed for every random choice, 0 to 4294967295 (default: random, printed)
  --alpha A            --tolerance T    --max-requests N   override the plan's settings
  --relative-tolerance R
                       a weighted target's tolerance as a fraction of its smallest share, where
                       smaller than --tolerance (overrides the plan's relativeTolerance)
  --concurrency N      requests in flight per expectation, 1 to ${MAX_CONCURRENCY} (overrides the plan's)
  --json               one JSON summary alone on stdout (the result lines then go to stderr
                       with the progress; without --json they are stdout's)
  --keep               after the plan, keep the mesh serving and print the productpage URL
  --shared             run or up beside other meshproof processes on the same cluster that pass
                       --shared too (without it, a cluster another one works on is refused, exit 3);
                       a step whose config another writer changes then fails, never passes

Exit codes: 0 passed · 1 a step failed (rollback attempted) · 2 bad input · 3 environment · 130 interrupted
`;
