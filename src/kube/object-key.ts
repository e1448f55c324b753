/** How an object is named, and what applying it did: shared by every target and the local mesh. */

export interface ObjectKey {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** What applying one object did, as server-side apply reports it. */
export interface ApplyOutcome {
  /** `VirtualService reviews.default` */
  ref: string;
  action: 'created' | 'configured' | 'unchanged';
  /** What the target stores but does not act on (the local mesh says which fields it does not simulate). */
  notes?: string[];
}
