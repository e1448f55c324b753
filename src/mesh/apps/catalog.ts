/**
 * Which stand-in runs for which Bookinfo image, and the env that image bakes in (the Deployment's
 * own env is merged over it by the mesh). Images are recognised by name from any registry, with
 * any tag or digest: `docker.io/istio/examples-bookinfo-reviews-v3:1.20.3`,
 * `registry.istio.io/release/examples-bookinfo-reviews-v3@sha256:…`.
 */
import type { AppCatalog, AppFactory } from '../app.js';
import { detailsApp } from './details.js';
import { productpageApp } from './productpage.js';
import { ratingsApp } from './ratings.js';
import { reviewsApp } from './reviews.js';
import { echoApp } from './echo.js';

interface Entry {
  factory: AppFactory;
  env: Record<string, string>;
}

/** `<svc>-<version>` → stand-in. Only the images bookinfo.yaml uses; others have behaviour not reproduced here. */
const IMAGES: Record<string, Entry> = {
  'productpage-v1': { factory: productpageApp, env: { FLOOD_FACTOR: '0' } },
  'details-v1': { factory: detailsApp, env: { SERVICE_VERSION: 'v1', ENABLE_EXTERNAL_BOOK_SERVICE: 'false' } },
  'ratings-v1': { factory: ratingsApp, env: { SERVICE_VERSION: 'v1' } },
  'reviews-v1': { factory: reviewsApp, env: { SERVICE_VERSION: 'v1', ENABLE_RATINGS: 'false', STAR_COLOR: 'black' } },
  'reviews-v2': { factory: reviewsApp, env: { SERVICE_VERSION: 'v2', ENABLE_RATINGS: 'true', STAR_COLOR: 'black' } },
  'reviews-v3': { factory: reviewsApp, env: { SERVICE_VERSION: 'v3', ENABLE_RATINGS: 'true', STAR_COLOR: 'red' } },
};

/** Last path segment `examples-bookinfo-<svc>-<version>`, then an optional `:tag` and `@digest`. */
const IMAGE_NAME = /(?:^|\/)examples-bookinfo-([a-z]+)-(v[a-z0-9-]*)(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

/** `reviews-v3` for a Bookinfo image reference, else null. */
export function bookinfoImage(image: string): { service: string; version: string } | null {
  const m = IMAGE_NAME.exec(image.trim());
  return m ? { service: m[1]!, version: m[2]! } : null;
}

export const bookinfoCatalog: AppCatalog = {
  lookup(image) {
    const id = bookinfoImage(image);
    const name = id ? `${id.service}-${id.version}` : '';
    const entry = IMAGES[name];
    return entry ? { factory: entry.factory, env: { ...entry.env }, name: `bookinfo ${name}` } : null;
  },
};

/**
 * Bookinfo's stand-ins for Bookinfo's images, and the echo stand-in (echo.ts) for any other image,
 * so a plan's own services run where pods are simulated: the local mesh and the kwok data plane
 * both take this one catalog. A Bookinfo image of a version not reproduced here
 * (`examples-bookinfo-reviews-v4`) is still refused: its behaviour is Bookinfo's, not an echo's.
 */
export const standInCatalog: AppCatalog = {
  lookup(image) {
    if (bookinfoImage(image)) return bookinfoCatalog.lookup(image);
    return image.trim() ? { factory: echoApp, env: {}, name: 'echo' } : null;
  },
};
