import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detailsApp } from './details.js';
import { serveApp, type Served } from './testing/serve-app.js';

describe('details stand-in', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serveApp(detailsApp, { podName: 'details-v1-79f774bdb9-kq7xw' });
  });
  afterAll(() => app.close());

  it('GET /details/<id> answers the book details as JSON', async () => {
    const res = await fetch(`${app.url}/details/3`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      id: 3,
      author: 'William Shakespeare',
      year: 1595,
      type: 'paperback',
      pages: 200,
      publisher: 'PublisherA',
      language: 'English',
      'ISBN-10': '1234567890',
      'ISBN-13': '123-1234567890',
    });
  });

  it('a non-numeric id is a 400, anything else a 404, /health answers', async () => {
    expect((await fetch(`${app.url}/details/x`)).status).toBe(400);
    expect((await fetch(`${app.url}/details`)).status).toBe(404);
    expect(await (await fetch(`${app.url}/health`)).json()).toEqual({ status: 'Details is healthy' });
  });
});
