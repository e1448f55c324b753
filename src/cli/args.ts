/** Command-line flags (DESIGN §3), parsed with node's own parseArgs. */
import { parseArgs } from 'node:util';
import { InputError } from '../core/errors.js';

export const FLAGS = {
  target: { type: 'string', default: 'auto' },
  'report-dir': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'ingress-url': { type: 'string' },
  seed: { type: 'string' },
  alpha: { type: 'string' },
  tolerance: { type: 'string' },
  'max-requests': { type: 'string' },
  json: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  reuse: { type: 'boolean', default: false },
  name: { type: 'string' },
  'host-port': { type: 'string' },
  'deploy-bookinfo': { type: 'boolean', default: false },
  'preload-images': { type: 'boolean', default: false },
  'purge-cache': { type: 'boolean', default: false },
  open: { type: 'boolean', default: false },
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
  seed?: number;
  alpha?: number;
  tolerance?: number;
  maxRequests?: number;
  json: boolean;
  keep: boolean;
  reuse: boolean;
  clusterName?: string;
  hostPort?: number;
  deployBookinfo: boolean;
  preloadImages: boolean;
  purgeCache: boolean;
  open: boolean;
  help: boolean;
  version: boolean;
}

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError([{ file: '<command line>', message: (err as Error).message }]);
  }
  const v = parsed.values;
  const target = v.target as string;
  if (!['auto', 'local', 'kind', 'existing', 'kwok'].includes(target)) flagError('--target', `must be auto, local, kind, existing or kwok, not "${target}"`);
  const [command, ...positionals] = parsed.positionals;
  return {
    command,
    positionals,
    target: target as TargetChoice,
    ...opt('reportDir', v['report-dir']),
    ...opt('kubeconfig', v.kubeconfig),
    ...opt('context', v.context),
    ...opt('ingressUrl', v['ingress-url']),
    ...opt('clusterName', v.name),
    ...opt('seed', num('--seed', v.seed, { integer: true, min: 0 })),
    ...opt('alpha', num('--alpha', v.alpha, { open01: true })),
    ...opt('tolerance', num('--tolerance', v.tolerance, { open01: true })),
    ...opt('maxRequests', num('--max-requests', v['max-requests'], { integer: true, min: 1 })),
    ...opt('hostPort', num('--host-port', v['host-port'], { integer: true, min: 1, max: 65535 })),
    json: v.json,
    keep: v.keep,
    reuse: v.reuse,
    deployBookinfo: v['deploy-bookinfo'],
    preloadImages: v['preload-images'],
    purgeCache: v['purge-cache'],
    open: v.open,
    help: v.help,
    version: v.version,
  };
}

function opt<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function num(flag: string, raw: string | undefined, c: { integer?: boolean; min?: number; max?: number; open01?: boolean }): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || raw.trim() === '') flagError(flag, `must be a number, not "${raw}"`);
  if (c.integer && !Number.isInteger(n)) flagError(flag, `must be a whole number, not ${raw}`);
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
  lint PLAN...        validate plans and the manifests they name, offline; nothing is applied
  up                  create or reuse the environment for the target
  down                delete what up created (--purge-cache also drops downloads)
  doctor              check the prerequisites of the kind target (--target kwok: of the kwok target)
  report DIR          re-render summary.md and index.html from DIR/results.json (--open to view)
  classify FILE|URL   print what meshproof sees in one productpage page or reviews JSON

Flags:
  --target auto|local|kind|existing|kwok
                       where the mesh is (default auto: kind when Docker and kind are usable, else
                       the local rehearsal mesh; kwok: a real Kubernetes and Istio control plane
                       on 127.0.0.1 built from Go modules, pods faked, no data plane)
  --report-dir DIR     where reports go (default reports/<timestamp>-<plan>)
  --kubeconfig FILE    --context NAME   --ingress-url URL     for --target existing
  --name NAME          --host-port N    --reuse   --preload-images   for --target kind
  --deploy-bookinfo    deploy Bookinfo on an existing cluster during up
  --seed N             seed for every random choice (default: time-based, printed)
  --alpha A            --tolerance T    --max-requests N   override the plan's defaults
  --json               one JSON summary on stdout (progress stays on stderr)
  --keep               after the plan, keep the mesh serving and print the productpage URL

Exit codes: 0 passed · 1 a step failed (rollback attempted) · 2 bad input · 3 environment · 130 interrupted
`;
