import { describe, expect, it } from 'vitest';
import { imagesOf, pinBookinfoImages } from './bookinfo-images.js';
import { loadManifestFile } from '../../kube/manifest.js';

describe('Bookinfo image pins', () => {
  it('pins every Bookinfo image of the shipped manifests to one hub and tag', async () => {
    const pinned = pinBookinfoImages(await loadManifestFile('manifests/bookinfo/bookinfo.yaml'), {
      bookinfoHub: 'mirror.example:5000/istio',
      bookinfoTag: '1.20.3',
    });
    expect(imagesOf(pinned).sort()).toEqual(
      ['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3'].map(
        (n) => `mirror.example:5000/istio/examples-bookinfo-${n}:1.20.3`,
      ),
    );
  });
});
