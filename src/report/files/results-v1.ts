/**
 * results.json of schemaVersion 1 kept an expectation's observed counts and intervals in one flat
 * object, the ratings ones keyed `ratings:<state>`. Version 2 splits them by service; this reads a
 * version 1 file as version 2, so `meshproof report` still re-renders a folder written before.
 * Anything not shaped as version 1 expects is passed on untouched, for the schema check to name.
 */
const RATINGS = 'ratings:';

type Json = Record<string, unknown>;

export function fromSchemaVersion1(doc: unknown): unknown {
  if (!isJson(doc) || doc.schemaVersion !== 1) return doc;
  const steps = Array.isArray(doc.steps) ? doc.steps.map(upgradeStep) : doc.steps;
  return { ...doc, schemaVersion: 2, steps, rollback: upgradeStep(doc.rollback) };
}

function upgradeStep(step: unknown): unknown {
  if (!isJson(step) || !Array.isArray(step.expectations)) return step;
  return { ...step, expectations: step.expectations.map((e: unknown) => (isJson(e) ? { ...e, observed: byService(e.observed), intervals: byService(e.intervals) } : e)) };
}

function byService(flat: unknown): unknown {
  if (!isJson(flat)) return flat;
  const reviews: Json = {};
  const ratings: Json = {};
  for (const [k, v] of Object.entries(flat)) {
    if (k.startsWith(RATINGS)) ratings[k.slice(RATINGS.length)] = v;
    else reviews[k] = v;
  }
  return { reviews, ratings };
}

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
