/**
 * results.json written before ratings had their own field kept an expectation's ratings counts and
 * intervals in `observed` and `intervals`, keyed `ratings:<state>` beside the reviews versions. This
 * reads such a file in today's shape (reviews in `observed`/`intervals`, ratings under `ratings`), so
 * `meshproof report` still re-renders an older folder. Anything else is passed on untouched, for
 * the schema check to name.
 */
const RATINGS = 'ratings:';

type Json = Record<string, unknown>;

export function fromFlatRatings(doc: unknown): unknown {
  if (!isJson(doc) || doc.schemaVersion !== 1) return doc;
  const steps = Array.isArray(doc.steps) ? doc.steps.map(upgradeStep) : doc.steps;
  return { ...doc, steps, rollback: upgradeStep(doc.rollback) };
}

function upgradeStep(step: unknown): unknown {
  if (!isJson(step) || !Array.isArray(step.expectations)) return step;
  return { ...step, expectations: step.expectations.map(upgradeExpectation) };
}

function upgradeExpectation(e: unknown): unknown {
  if (!isJson(e) || e.ratings !== undefined) return e;
  const observed = split(e.observed);
  const intervals = split(e.intervals);
  if (!observed || !intervals || (!Object.keys(observed.ratings).length && !Object.keys(intervals.ratings).length))
    return e;
  return {
    ...e,
    observed: observed.reviews,
    intervals: intervals.reviews,
    ratings: { observed: observed.ratings, intervals: intervals.ratings },
  };
}

function split(flat: unknown): { reviews: Json; ratings: Json } | null {
  if (!isJson(flat)) return null;
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
