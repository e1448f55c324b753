/** What meshproof sees in one page (a saved file or a URL): the `classify` command's answer. */
import { fetchPage } from '../traffic/fetch-page.js';
import { bookinfoClassifier } from '../bookinfo/classifier/index.js';

export async function classifyPage(source: string): Promise<Record<string, unknown>> {
  const page = await fetchPage(source);
  const c = bookinfoClassifier.classify(page);
  return {
    reviews: c.reviews,
    ratings: c.ratings,
    pod: c.pod,
    format: c.format,
    status: page.status,
    note: c.note || undefined,
  };
}
