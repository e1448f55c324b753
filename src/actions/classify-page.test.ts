import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyPage } from './classify-page.js';

const fixtures = join(import.meta.dirname, '..', 'bookinfo', 'classifier', 'fixtures');

describe('classifyPage', () => {
  it('says which reviews version served a saved page, its ratings and pod', async () => {
    expect(await classifyPage(join(fixtures, 'bootstrap-v3.html'))).toEqual({
      reviews: 'v3',
      ratings: 'stars',
      pod: 'reviews-v3-7a8b9c0d1e-klmno',
      format: 'html-bootstrap',
      status: 200,
    });
    expect(await classifyPage(join(fixtures, 'bootstrap-reviews-unavailable.html'))).toMatchObject({
      reviews: 'unavailable',
    });
  });

  it('names the file it cannot read', async () => {
    await expect(classifyPage(join(fixtures, 'no-such-page.html'))).rejects.toThrow(/no-such-page\.html: cannot read/);
  });
});
