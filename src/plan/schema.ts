/**
 * The plan format (plans/README.md) as zod schemas: strict everywhere (an unknown field is an error, since
 * a misspelt `tolerence` silently ignored would change what a pass means), with the value checks
 * that need nothing outside the field itself. Cross-checks that need other fields or other files
 * (step names, subsets, manifests) live in cross-check.ts.
 */
import { z } from 'zod';
import { toMs } from '../core/duration.js';
import { requestPathProblem } from './request-path.js';
import { MAX_CONCURRENCY } from './limits.js';
import {
  headersSchema,
  hostSchema,
  VERSION_NAME,
  versionFromSchema,
  versionSharesSchema,
} from './generic-expectation.js';

export { MAX_CONCURRENCY };

/** An object schema that rejects unknown fields and says which ones it knows. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `known fields here: ${known}` : undefined),
  });
}

function between0and1(name: string) {
  const error = (iss: { input?: unknown }) => `${name} must be between 0 and 1 (exclusive), got ${String(iss.input)}`;
  return z.number({ error }).gt(0, { error }).lt(1, { error });
}

function rate(name: string) {
  const error = (iss: { input?: unknown }) => `${name} must be a fraction between 0 and 1, got ${String(iss.input)}`;
  return z.number({ error }).min(0, { error }).max(1, { error });
}

function positiveInt(name: string) {
  const error = (iss: { input?: unknown }) => `${name} must be a whole number ≥ 1, got ${JSON.stringify(iss.input)}`;
  return z.int({ error }).min(1, { error });
}

function concurrency() {
  const error = (iss: { input?: unknown }) =>
    `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${JSON.stringify(iss.input)}`;
  return z.int({ error }).min(1, { error }).max(MAX_CONCURRENCY, { error });
}

function positiveNumber(name: string) {
  const error = (iss: { input?: unknown }) => `${name} must be a number > 0, got ${JSON.stringify(iss.input)}`;
  return z.number({ error }).gt(0, { error });
}

/** `60s`, `500ms`, `2m`. A bare number is refused: `settleTimeout: 60` would silently mean 60 ms. */
const duration = z
  .string({ error: (iss) => `write a duration with a unit, e.g. 60s or 500ms (got ${JSON.stringify(iss.input)})` })
  .superRefine((s, ctx) => {
    let value: number | undefined;
    try {
      value = toMs(s);
    } catch {
      value = undefined;
    }
    if (value === undefined || value <= 0)
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a positive duration (use e.g. 500ms, 30s, 2m)` });
  });

const fileList = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z.array(
    z.string({ error: 'a manifest path must be a string' }).min(1, { error: 'a manifest path cannot be empty' }),
    {
      error: 'expected a list of manifest paths',
    },
  ),
);

const settingsFields = {
  alpha: between0and1('alpha').optional(),
  tolerance: between0and1('tolerance').optional(),
  /** A weighted expectation's tolerance as a fraction of its smallest share, where smaller (effective-tolerance.ts). */
  relativeTolerance: between0and1('relativeTolerance').optional(),
  maxRequests: positiveInt('maxRequests').optional(),
  settleTimeout: duration.optional(),
  concurrency: concurrency().optional(),
  requestTimeout: duration.optional(),
};

export const settingsSchema = strict(settingsFields);

/** The plan's defaults: the settings, and planAlpha, which only a whole plan can have. */
export const defaultsSchema = strict({ ...settingsFields, planAlpha: between0and1('planAlpha').optional() });

/** Outcomes the classifier reports for `reviews`. */
export const REVIEWS_OUTCOMES = ['v1', 'v2', 'v3', 'unavailable'] as const;
export const REVIEWS_VERSIONS = ['v1', 'v2', 'v3'] as const;
export const RATINGS_STATES = ['stars', 'none', 'unavailable'] as const;

const SUM_EPSILON = 1e-9;

const shares = z
  .record(
    z.string(),
    z
      .number({ error: (iss) => `a share must be a number (percent), got ${JSON.stringify(iss.input)}` })
      .min(0, { error: (iss) => `a share cannot be negative, got ${String(iss.input)}` }),
  )
  .superRefine((rec, ctx) => {
    const keys = Object.keys(rec);
    if (keys.length === 0)
      ctx.addIssue({ code: 'custom', message: 'name at least one outcome with its share, e.g. { v1: 100 }' });
    for (const k of keys) {
      if (!(REVIEWS_OUTCOMES as readonly string[]).includes(k)) {
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `unknown outcome "${k}" (reviews outcomes are ${REVIEWS_OUTCOMES.join(', ')})`,
        });
      }
    }
    const sum = Object.values(rec).reduce((a, b) => a + b, 0);
    if (keys.length && Math.abs(sum - 100) > SUM_EPSILON)
      ctx.addIssue({ code: 'custom', message: `expected shares sum to ${sum}, they must sum to 100 (percent)` });
  });

const weights = z
  .record(
    z.string(),
    z
      .int({ error: (iss) => `a route weight must be a whole number (percent), got ${JSON.stringify(iss.input)}` })
      .min(0, { error: (iss) => `a route weight cannot be negative, got ${String(iss.input)}` }),
  )
  .superRefine((rec, ctx) => {
    const keys = Object.keys(rec);
    if (keys.length === 0)
      ctx.addIssue({ code: 'custom', message: 'name at least one subset with its weight, e.g. { v1: 100 }' });
    for (const k of keys) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(k))
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `"${k}" is not a valid subset name (lowercase letters, digits and -)`,
        });
    }
    const sum = Object.values(rec).reduce((a, b) => a + b, 0);
    if (keys.length && sum !== 100)
      ctx.addIssue({ code: 'custom', message: `route weights sum to ${sum}, they must sum to 100 (percent)` });
  });

/**
 * What the mesh splits: each request (HTTP routes; the default), or each connection (TCP weights, a
 * hop balancing by connection), where meshproof then sends every request on a connection of its own.
 */
export const SPLIT_PER = ['request', 'connection'] as const;

/** A user as the login form takes it: a plain name. */
const USER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const userError = (iss: { input?: unknown }) =>
  `unknown user form ${JSON.stringify(iss.input)}: ` +
  'a user is a plain name such as jason (logged in through POST /login), or anonymous';

/** Pages the classifier understands. */
const PATH = /^\/productpage(\?.*)?$|^\/api\/v1\/products\/\d+\/reviews$/;

export const expectationSchema = strict({
  user: z.string({ error: userError }).regex(USER, { error: userError }).optional(),
  path: z
    .string({ error: 'path must be a string' })
    .check((ctx) => {
      const problem = requestPathProblem(ctx.value);
      if (problem)
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `path ${JSON.stringify(ctx.value)}: ${problem}`,
          abort: true,
        });
      else if (!ctx.value.startsWith('/'))
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `path ${JSON.stringify(ctx.value)} must start with /`,
        });
    })
    .optional(),
  reviews: shares.optional(),
  ratings: z
    .enum(RATINGS_STATES, {
      error: (iss) => `unknown ratings state ${JSON.stringify(iss.input)} (use ${RATINGS_STATES.join(', ')})`,
    })
    .optional(),
  versions: versionSharesSchema.optional(),
  versionFrom: versionFromSchema.optional(),
  host: hostSchema.optional(),
  headers: headersSchema.optional(),
  requests: positiveInt('requests').optional(),
  concurrency: concurrency().optional(),
  strict: z.boolean({ error: 'strict must be true or false' }).optional(),
  splitPer: z
    .enum(SPLIT_PER, {
      error: (iss) =>
        `splitPer must be ${SPLIT_PER.join(' or ')} (what the mesh splits), got ${JSON.stringify(iss.input)}`,
    })
    .optional(),
}).superRefine((e, ctx) => {
  const bookinfo = e.reviews !== undefined || e.ratings !== undefined;
  if (!bookinfo && e.versions === undefined)
    ctx.addIssue({
      code: 'custom',
      message: 'an expectation needs versions shares, or reviews shares or a ratings state',
    });
  if (bookinfo && e.versions !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['versions'],
      message:
        'versions is for a service of your own; reviews and ratings are read from Bookinfo pages: use one or the other',
    });
  if (e.versionFrom !== undefined && e.versions === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['versionFrom'],
      message: 'versionFrom reads the outcomes of versions: name versions too',
    });
  if (e.versions !== undefined && e.user !== undefined && e.user !== 'anonymous')
    ctx.addIssue({
      code: 'custom',
      path: ['user'],
      message: 'user logs in to Bookinfo; with versions send your own headers (headers: { authorization: … })',
    });
  if (!bookinfo || e.path === undefined || PATH.test(e.path)) return;
  ctx.addIssue({
    code: 'custom',
    path: ['path'],
    message:
      `path ${JSON.stringify(e.path)} is not one meshproof classifies for reviews and ratings: ` +
      '/productpage or /api/v1/products/<id>/reviews (versions reads any path)',
  });
});

const gateLimits = {
  maxErrorRate: rate('maxErrorRate').optional(),
  maxDegradedRate: rate('maxDegradedRate').optional(),
  p50LatencyMs: positiveNumber('p50LatencyMs').optional(),
  p90LatencyMs: positiveNumber('p90LatencyMs').optional(),
  p99LatencyMs: positiveNumber('p99LatencyMs').optional(),
};

export const gatesSchema = strict({
  ...gateLimits,
  maxUnclassifiedRate: rate('maxUnclassifiedRate').optional(),
  byVersion: z
    .record(z.string(), strict(gateLimits))
    // Which names: Bookinfo's versions, or a step's own `versions` (cross-check.ts, which sees the expectations).
    .superRefine((rec, ctx) => {
      for (const k of Object.keys(rec)) {
        if (!VERSION_NAME.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" is not a version name` });
      }
    })
    .optional(),
});

/** Which routing API the `route` shorthand writes: a VirtualService (istio) or an HTTPRoute (gateway-api). */
export const ROUTING_APIS = ['istio', 'gateway-api'] as const;
const routingApi = z.enum(ROUTING_APIS, {
  error: (iss) => `unknown routing API ${JSON.stringify(iss.input)} (use ${ROUTING_APIS.join(' or ')})`,
});

export const routeSchema = strict({
  host: z
    .string({ error: 'route.host must be a service name, e.g. reviews' })
    .min(1, { error: 'route.host cannot be empty' }),
  weights,
  /** Overrides the plan's routingApi for this route. */
  api: routingApi.optional(),
});

const stepFields = {
  description: z.string().optional(),
  apply: fileList.optional(),
  route: routeSchema.optional(),
  expect: z
    .array(expectationSchema, { error: 'expect must be a list of expectations' })
    .min(1, { error: 'a step needs at least one expectation' }),
  gates: gatesSchema.optional(),
  settings: settingsSchema.optional(),
};

export const stepSchema = strict({
  name: z.string({ error: 'a step needs a name' }).regex(/\S/, { error: 'a step name cannot be blank' }),
  ...stepFields,
});

export const rollbackSchema = strict({
  name: z.string().regex(/\S/, { error: 'a rollback name cannot be blank' }).optional(),
  ...stepFields,
});

/** A namespace name: a DNS label. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Namespaces a plan may write to beyond its own (fence.ts). */
const allowNamespaces = z
  .array(
    z.string({ error: 'an allowNamespaces entry is a namespace name' }).regex(NAMESPACE, {
      error: (iss) => `${JSON.stringify(iss.input)} is not a namespace name (lowercase letters, digits and -)`,
    }),
    { error: 'allowNamespaces must be a list of namespace names, e.g. [istio-system]' },
  )
  .superRefine((list, ctx) => {
    list.forEach((ns, i) => {
      if (list.indexOf(ns) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${ns} is listed twice` });
    });
  });

/** The plan's top level; steps and rollback are parsed one by one so one bad step hides nothing else. */
export const planTopSchema = strict({
  name: z.string().regex(/\S/, { error: 'the plan name cannot be blank' }).optional(),
  description: z.string().optional(),
  namespace: z
    .string()
    .regex(NAMESPACE, {
      error: (iss) => `namespace ${JSON.stringify(iss.input)} is not a valid namespace name`,
    })
    .optional(),
  /** Namespaces the plan may write to beyond its own, pods with host access included; listed in the reports. */
  allowNamespaces: allowNamespaces.optional(),
  defaults: defaultsSchema.optional(),
  /** What the `route` shorthand writes unless a route says otherwise; default istio. */
  routingApi: routingApi.optional(),
  setup: fileList.optional(),
  steps: z.array(z.unknown(), { error: 'steps must be a list' }).min(1, { error: 'a plan needs at least one step' }),
  rollback: z.unknown().optional(),
});

export type RawSettings = z.infer<typeof settingsSchema>;
export type RawExpectation = z.infer<typeof expectationSchema>;
export type RawGates = z.infer<typeof gatesSchema>;
export type RawRoute = z.infer<typeof routeSchema>;
export type RawStep = z.infer<typeof stepSchema>;
export type RawRollback = z.infer<typeof rollbackSchema>;
export type RawPlanTop = z.infer<typeof planTopSchema>;
