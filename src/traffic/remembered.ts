/**
 * Classification remembered by exact answer: a classification is a function of status, content
 * type and body, and a mesh serves the same few pages over and over (Bookinfo's productpage is
 * byte-identical for a given reviews pod and user). Recent distinct answers are kept, found by
 * length and then compared whole (a string compare of a 6 KB page is ~0.3 µs; hashing it for a
 * Map is ~15 µs, and classifying it ~30 µs).
 *
 * Written by hand: a cache library keys by hashing, which is exactly the cost avoided here.
 */
import type { ClassifiableResponse, Classification, Classifier } from '../bookinfo/classification.js';

interface Entry {
  status: number;
  contentType: string | undefined;
  body: string;
  result: Classification;
}

export interface RememberingClassifier extends Classifier {
  /** Answers classified afresh / found already classified, since creation. */
  readonly stats: { misses: number; hits: number };
}

/** Wraps `inner`, keeping the last `capacity` distinct answers (oldest dropped first). */
export function remembered(inner: Classifier, capacity = 32): RememberingClassifier {
  const entries: Entry[] = [];
  let next = 0;
  const stats = { misses: 0, hits: 0 };
  return {
    name: inner.name,
    stats,
    classify(res: ClassifiableResponse): Classification {
      for (const e of entries) {
        if (
          e.body.length === res.body.length &&
          e.status === res.status &&
          e.contentType === res.contentType &&
          e.body === res.body
        ) {
          stats.hits++;
          return e.result;
        }
      }
      stats.misses++;
      // Frozen: the same object is handed to every caller that sees this answer.
      const result = Object.freeze(inner.classify(res));
      const entry = { status: res.status, contentType: res.contentType, body: res.body, result };
      if (entries.length < capacity) entries.push(entry);
      else entries[next++ % capacity] = entry;
      return result;
    },
  };
}
