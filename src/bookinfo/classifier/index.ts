/**
 * The Bookinfo classifier: a productpage page (current or old markup) or reviews JSON in, which
 * reviews version served it, what the ratings part showed and which pod answered out.
 */
import type { ClassifiableResponse, Classification, Classifier } from '../classification.js';
import { decide, notBookinfo } from './decide.js';
import { readHtml } from './html.js';
import { readHtmlFast } from './html-fast.js';
import { readJson } from './json.js';

export { versionOfPod } from './decide.js';

export const bookinfoClassifier: Classifier = {
  name: 'bookinfo',
  classify(res: ClassifiableResponse): Classification {
    const body = res.body.trim();
    const type = (res.contentType ?? '').toLowerCase();
    if (body === '') return notBookinfo(res.status, body);
    if (type.includes('json') || body.startsWith('{') || body.startsWith('[')) {
      const j = readJson(body);
      if (j.kind === 'reviews') return decide(j.markers, 'json');
      if (j.kind === 'other')
        return {
          ...notBookinfo(res.status, body, 'json'),
          note: `not a reviews response (HTTP ${res.status}): ${j.what}`,
        };
      if (type.includes('json')) return { ...notBookinfo(res.status, body), note: `invalid JSON (HTTP ${res.status})` };
    }
    if (type.includes('html') || body.startsWith('<')) {
      const h = readHtmlFast(body) ?? readHtml(body);
      if (h.bookinfo) return decide(h.markers, h.bootstrap ? 'html-bootstrap' : 'html');
    }
    return notBookinfo(res.status, body);
  },
};
