/**
 * Envoy's circuit breakers for one proxy (translate/pool.ts says which): in-flight requests per
 * cluster up to its connection and request limits, then a pending queue, then overflow.
 */
import type { ClusterDef } from '../translate/clusters.js';

interface ClusterSlots {
  active: number;
  waiting: (() => void)[];
}

export class ConnectionPools {
  private readonly clusters = new Map<string, ClusterSlots>();

  /**
   * Waits for a slot in the cluster and returns its release, or null on overflow. A cluster without
   * limits always has a slot. A request cancelled while pending gives its place up.
   */
  async acquire(cluster: ClusterDef, signal?: AbortSignal): Promise<(() => void) | null> {
    const limits = cluster.pool;
    if (!limits) return noop;
    const s = this.clusters.get(cluster.name) ?? { active: 0, waiting: [] };
    this.clusters.set(cluster.name, s);
    const inFlight = Math.min(limits.maxConnections, limits.maxRequests);
    if (s.active + s.waiting.length >= limits.maxRequests) return null;
    if (s.active >= inFlight) {
      if (s.waiting.length >= limits.maxPending) return null;
      const admitted = await new Promise<boolean>((resolve) => {
        const admit = () => resolve(true);
        s.waiting.push(admit);
        signal?.addEventListener(
          'abort',
          () => {
            const i = s.waiting.indexOf(admit);
            if (i !== -1) s.waiting.splice(i, 1);
            resolve(false);
          },
          { once: true },
        );
      });
      if (!admitted) return null;
    } else s.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = s.waiting.shift();
      // The slot passes straight to the next request waiting, if any.
      if (next) next();
      else s.active--;
    };
  }
}

const noop = () => {};
