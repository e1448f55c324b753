import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifestFile } from '../../kube/manifest.js';
import { bookinfoCatalog, bookinfoImage } from './catalog.js';
import { detailsApp } from './details.js';
import { productpageApp } from './productpage.js';
import { ratingsApp } from './ratings.js';
import { reviewsApp } from './reviews.js';

describe('bookinfoCatalog', () => {
  it('recognises Bookinfo images from any registry, with any tag or digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    for (const image of [
      'docker.io/istio/examples-bookinfo-reviews-v3:1.20.3',
      'registry.istio.io/release/examples-bookinfo-reviews-v3:1.20.3',
      'istio/examples-bookinfo-reviews-v3',
      'examples-bookinfo-reviews-v3:latest',
      `localhost:5000/mirror/examples-bookinfo-reviews-v3@${digest}`,
      `gcr.io/x/examples-bookinfo-reviews-v3:1.19.1@${digest}`,
    ]) {
      expect(bookinfoImage(image), image).toEqual({ service: 'reviews', version: 'v3' });
      expect(bookinfoCatalog.lookup(image), image).toMatchObject({ factory: reviewsApp, name: 'bookinfo reviews-v3' });
    }
  });

  it('returns the env each image bakes in', () => {
    const env = (svc: string) => bookinfoCatalog.lookup(`docker.io/istio/examples-bookinfo-${svc}:1.20.3`)?.env;
    expect(env('reviews-v1')).toMatchObject({ SERVICE_VERSION: 'v1', ENABLE_RATINGS: 'false' });
    expect(env('reviews-v2')).toEqual({ SERVICE_VERSION: 'v2', ENABLE_RATINGS: 'true', STAR_COLOR: 'black' });
    expect(env('reviews-v3')).toEqual({ SERVICE_VERSION: 'v3', ENABLE_RATINGS: 'true', STAR_COLOR: 'red' });
    expect(env('ratings-v1')).toEqual({ SERVICE_VERSION: 'v1' });
    expect(env('details-v1')).toEqual({ SERVICE_VERSION: 'v1', ENABLE_EXTERNAL_BOOK_SERVICE: 'false' });
    expect(env('productpage-v1')).toEqual({ FLOOD_FACTOR: '0' });
  });

  it('hands out a fresh env object each time', () => {
    const a = bookinfoCatalog.lookup('examples-bookinfo-reviews-v2')!;
    a.env['STAR_COLOR'] = 'blue';
    expect(bookinfoCatalog.lookup('examples-bookinfo-reviews-v2')!.env['STAR_COLOR']).toBe('black');
  });

  it('answers null for other images and Bookinfo images it does not reproduce', () => {
    for (const image of [
      'nginx:1.27',
      'docker.io/istio/proxyv2:1.31.1',
      'examples-bookinfo-reviews',
      'my-examples-bookinfo-reviews-v1:1',
      'docker.io/istio/examples-bookinfo-ratings-v-faulty:1.20.3',
      'examples-bookinfo-details-v2:1.20.3',
      '',
    ]) {
      expect(bookinfoCatalog.lookup(image), image).toBeNull();
    }
  });

  it('runs every Deployment in manifests/bookinfo/bookinfo.yaml with the matching stand-in', async () => {
    const file = fileURLToPath(new URL('../../../manifests/bookinfo/bookinfo.yaml', import.meta.url));
    const deployments = (await loadManifestFile(file)).map((l) => l.object).filter((o) => o.kind === 'Deployment');
    const factories: Record<string, unknown> = {
      productpage: productpageApp,
      details: detailsApp,
      ratings: ratingsApp,
      reviews: reviewsApp,
    };
    expect(deployments).toHaveLength(6);
    for (const d of deployments) {
      const image: string = d.spec.template.spec.containers[0].image;
      const found = bookinfoCatalog.lookup(image);
      expect(found?.factory, image).toBe(factories[d.metadata.labels!['app']!]);
      expect(found?.env['SERVICE_VERSION'] ?? 'v1').toBe(d.metadata.labels!['version']);
    }
  });
});
