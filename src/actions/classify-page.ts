/** What meshproof sees in one page (a saved file or a URL): the `classify` command's answer. */
import { fetchPage } from '../traffic/fetch-page.js';
import { bookinfoClassifier } from '../bookinfo/classifier/index.js';
import { versionClassifier } from '../traffic/version-classifier.js';

/** With `versionFrom`: the version a plan's expectation reading it that way would see in this answer. */
export async function classifyPage(
  source: string,
  versionFrom?: Parameters<typeof versionClassifier>[0],
): Promise<Record<string, unknown>> {
  const page = await fetchPage(source);
  if (versionFrom) {
    const classifier = versionClassifier(versionFrom);
    const v = classifier.classify(page);
    return {
      classifier: classifier.name,
      version: v.version ?? null,
      pod: v.pod,
      status: page.status,
      note: v.note || undefined,
    };
  }
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
