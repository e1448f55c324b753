import { describe, expect, it } from 'vitest';
import { versionClassifier } from './version-classifier.js';

const answer = (body: string, headers: Record<string, string | string[]> = {}, status = 200) => ({
  status,
  contentType: 'application/json',
  body,
  headers,
});

describe('versionClassifier', () => {
  it('reads a header, the first of repeated values, and the pod from x-pod', () => {
    const c = versionClassifier({ header: 'x-version' });
    expect(c.classify(answer('{}', { 'x-version': 'v2', 'x-pod': 'cart-v2-abc-1' }))).toMatchObject({
      version: 'v2',
      pod: 'cart-v2-abc-1',
      reviews: null,
    });
    expect(c.classify(answer('', { 'x-version': ['canary', 'stable'] })).version).toBe('canary');
  });

  it('reads a JSON field by its dotted path, list indexes and numbers included', () => {
    const c = versionClassifier({ json: 'forwarded.body.version' });
    const body = JSON.stringify({ version: 'v1', forwarded: { body: { version: 'v2' } } });
    expect(c.classify(answer(body)).version).toBe('v2');
    // The pod beside a `…version` field names who served it; else the x-pod header.
    const forwarded = JSON.stringify({
      pod: 'frontend-a-1',
      forwarded: { body: { version: 'v2', pod: 'cart-v2-b-2' } },
    });
    expect(c.classify(answer(forwarded, { 'x-pod': 'frontend-a-1' })).pod).toBe('cart-v2-b-2');
    expect(c.classify(answer(body, { 'x-pod': 'frontend-a-1' })).pod).toBe('frontend-a-1');
    expect(versionClassifier({ json: 'builds.1.n' }).classify(answer('{"builds":[{"n":1},{"n":7}]}')).version).toBe(
      '7',
    );
  });

  it('reads the one group of an RE2 regex, or the whole match when it has none', () => {
    expect(versionClassifier({ regex: 'release-(\\w+)' }).classify(answer('<p>release-canary</p>')).version).toBe(
      'canary',
    );
    expect(versionClassifier({ regex: 'v\\d+' }).classify(answer('served by v3 today')).version).toBe('v3');
  });

  it('says why a version cannot be read, and gives null: unclassified', () => {
    const cases: [Parameters<typeof versionClassifier>[0], ReturnType<typeof answer>, string][] = [
      [{ header: 'x-version' }, answer('{}', { 'x-other': 'v1' }), 'header x-version is absent'],
      [{ header: 'x-version' }, answer('{}', { 'x-version': '' }), 'header x-version is empty'],
      [{ json: 'version' }, answer('<html>'), 'the body is not JSON'],
      [{ json: 'build.version' }, answer('{"build":"v1"}'), 'json build.version is absent'],
      [{ json: 'version' }, answer('{"version":{"major":1}}'), 'is not a string or number'],
      [{ regex: 'release-(\\w+)' }, answer('no release here'), 'does not match the body'],
      [{ header: 'x-version' }, answer('{}', { 'x-version': 'v'.repeat(64) }), 'is too long'],
    ];
    for (const [from, res, why] of cases) {
      const c = versionClassifier(from).classify(res);
      expect(c.version, why).toBeNull();
      expect(c.note, why).toContain(why);
    }
  });
});
