/**
 * The sentence that says why a check's verdict is what it is (or what it still needs), from the
 * facts verify/ states (model/check-explanation.ts). The expectation's `message` is made of these.
 */
import type {
  CheckExplanation,
  ExactExplanation,
  FixedExplanation,
  OutcomeCount,
  SequentialExplanation,
  ShareEvidence,
} from '../model/check-explanation.js';
import { isVersion } from '../model/outcomes.js';
import { percent, points } from './format.js';

export function checkMessage(e: CheckExplanation): string {
  if (e.kind === 'combined') return e.parts.map(checkMessage).join('; ');
  if (e.kind === 'exact') return exactMessage(e);
  if (e.kind === 'fixed') return fixedMessage(e);
  return sequentialMessage(e);
}

function sequentialMessage(e: SequentialExplanation): string {
  const { n, verdict, alpha, offTarget } = e;
  if (e.straysFail) return `${straysText(e, (o) => o)}: the target is ${targetText(e.target)}`;
  const shares = e.shares.map((s) => shareText(s, n)).join(', ') + asideText(e);
  const within = `±${points(e.tolerance)} points`;
  if (verdict === 'passed') return `every share within ${within} after ${plural(n, 'response')}: ${shares}`;
  if (verdict === 'failed' && offTarget)
    return (
      `${offTarget.outcome} share is ${offTarget.direction} its expected ${percent(offTarget.expected)} after ` +
      `${plural(n, 'response')} (alpha ${alpha}): ${shares}`
    );
  if (verdict === 'inconclusive')
    return (
      `no verdict within ${e.maxRequests} responses: ` +
      `not yet shown within ${within} nor shown off target: ${shares}`
    );
  return `${plural(n, 'response')} so far: ${shares}`;
}

function fixedMessage(e: FixedExplanation): string {
  const { n, verdict, size } = e;
  const shares = e.shares.map((s) => shareText(s, n, `, passes at ${s.passMin}–${s.passMax} of ${size}`)).join(', ');
  const head = `fixed sample of ${size}`;
  if (verdict === null) return `${head}: ${plural(n, 'response')} so far: ${shares}`;
  const parts = [`${head}: ${verdict}`];
  if (e.forbidden.length)
    parts.push(
      `${e.forbidden.map((f) => seenUnexpected(f.outcome, f)).join(', ')}: the target is ${targetText(e.target)}`,
    );
  parts.push(shares, fixedGuarantee(e));
  if (verdict === 'inconclusive') parts.push('the counts fall between the pass ranges and the fail regions');
  return parts.join('; ');
}

/** What a fixed sample of N guarantees. */
function fixedGuarantee({ alpha, tolerance, size, unseenBound, decisiveSize }: FixedExplanation): string {
  const base =
    `a share off by ${points(tolerance)} points or more passes with probability ≤ ${alpha}, ` +
    `the right split fails with probability ≤ ${alpha}`;
  const hidden =
    unseenBound > alpha
      ? `, but an unlisted outcome with a ${percent(tolerance)} share ` +
        `goes unseen with probability up to ${unseenBound.toFixed(3)}`
      : '';
  const decisive =
    decisiveSize === null
      ? ''
      : `; at ${size} responses some counts can only be inconclusive (${decisiveSize} decides every count)`;
  return `${base}${hidden}${decisive}`;
}

function exactMessage(e: ExactExplanation): string {
  const { n, verdict, alpha, tolerance, needed, unseenBound } = e;
  // A ratings state is named as such: `ratings "none"`.
  const name = (o: string): string => (e.service === 'ratings' ? `ratings "${o}"` : o);
  const expected = name(e.expected);
  if (e.straysFail) return `${straysText(e, name)}: the target is ${expected} on every response`;
  const clean = n - e.unknown - e.forbidden.reduce((sum, f) => sum + f.count, 0);
  const on = clean === n ? `on all ${plural(n, 'response')}` : `on ${clean} of ${plural(n, 'response')}`;
  if (verdict === 'passed') {
    const guarantee =
      unseenBound <= alpha
        ? `a misroute share of ${percent(tolerance)} or more passes with probability ≤ ${alpha}`
        : `fixed sample below the ${e.sampleSize} needed for alpha ${alpha}: ` +
          `a misroute share of ${percent(tolerance)} ` +
          `would have gone unseen with probability up to ${unseenBound.toFixed(3)}`;
    return `${expected} ${on} after settling${asideText(e, name)}; ${guarantee}`;
  }
  if (verdict === 'inconclusive') {
    return (
      `${expected} ${on}${asideText(e, name)}, but ${needed} clean responses are needed ` +
      `to rule out a ${percent(tolerance)} misroute at alpha ${alpha} and maxRequests is ${e.maxRequests}`
    );
  }
  return `${expected} ${on} so far${asideText(e, name)}; at least ${Math.max(needed - n, 1)} more responses needed`;
}

/**
 * Strays that failed the check: one under `strict`, else more than misreads explain (the stray share
 * shown above tol/50, verify/strays.ts).
 */
function straysText(e: SequentialExplanation | ExactExplanation, name: (o: string) => string): string {
  if (e.strict) return e.forbidden.map((f) => seenUnexpected(name(f.outcome), f, e.n)).join('; ');
  const seen = e.forbidden
    .map((f) => `${name(f.outcome)} seen ${plural(f.count, 'time')} in ${plural(e.n, 'response')} after settling`)
    .join('; ');
  const never = e.forbidden.some((f) => isVersion(f.outcome)) ? ' (weight 0 is never routed)' : '';
  return `${seen}, expected 0%: more than misread answers explain${never}`;
}

/**
 * What a verdict that stands despite them says of strays and unknown answers: `; v2 seen 1 time,
 * within what misread answers explain; 2 answers unreadable, counted against every test`.
 */
function asideText(e: SequentialExplanation | ExactExplanation, name: (o: string) => string = (o) => o): string {
  const parts: string[] = [];
  if (e.forbidden.length)
    parts.push(
      `${e.forbidden.map((f) => `${name(f.outcome)} seen ${plural(f.count, 'time')}`).join(', ')} (expected 0%)`,
    );
  if (e.unknown) parts.push(`${plural(e.unknown, 'answer')} with no readable outcome, counted against every test`);
  return parts.map((p) => `; ${p}`).join('');
}

/** `v2 seen 1 time in 4 responses after settling, expected 0% (weight 0 is never routed)`; without `n`, no `in …`. */
function seenUnexpected(label: string, { outcome, count }: OutcomeCount, n?: number): string {
  const among = n === undefined ? '' : ` in ${plural(n, 'response')} after settling`;
  return (
    `${label} seen ${plural(count, 'time')}${among}, ` +
    `expected 0%${isVersion(outcome) ? ' (weight 0 is never routed)' : ''}`
  );
}

/** `v1 0.50 [0.41, 0.59] (expected 50%)`, with `more` inside the brackets. */
function shareText(s: ShareEvidence, n: number, more = ''): string {
  const [l, u] = s.interval;
  return `${s.outcome} ${f2(n ? s.count / n : 0)} [${f2(l)}, ${f2(u)}] (expected ${percent(s.expected)}${more})`;
}

/** `v1 80%, v3 20%`: the target as the plan wrote it, zero shares left out. */
function targetText(target: { outcome: string; share: number }[]): string {
  return target.map((t) => `${t.outcome} ${points(t.share)}%`).join(', ');
}

/** Two decimals, for shares and interval bounds. */
function f2(x: number): string {
  return x.toFixed(2);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
