import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../model/events.js';
import type { RunResults } from '../../model/results.js';
import { renderSummary } from './summary-md.js';
import { simulateRun, tutorialRun } from '../testing/synthetic-run.js';

function resultsOf(events: Iterable<RunEvent>): RunResults {
  for (const e of events) if (e.type === 'run-end') return e.results;
  throw new Error('no run-end');
}

describe('summary.md and the Gateway API', () => {
  it('says which routing API a step used and shows the HTTPRoute status read back', () => {
    const r = resultsOf(simulateRun(tutorialRun('/r')));
    const step = r.steps[0]!;
    step.routingApis = ['gateway-api'];
    step.layers = {
      intended: { summary: { reviews: 'reviews: reviews-v1 100%' } },
      readBack: {
        summary: { reviews: 'reviews: reviews-v1 100%' },
        status: { reviews: ['Service reviews: Accepted=True, ResolvedRefs=True'] },
      },
      proxies: { summary: { reviews: 'reviews: reviews-v1 100%' }, pods: [] },
      observed: { summary: {} },
      disagreements: [],
    };
    const md = renderSummary(r);
    expect(md).toContain('· routing: Gateway API (HTTPRoute)');
    expect(md).toContain(
      '| reviews | reviews: reviews-v1 100% | reviews: reviews-v1 100%<br>Service reviews: Accepted=True, ' +
        'ResolvedRefs=True | reviews: reviews-v1 100% |',
    );
  });
});
