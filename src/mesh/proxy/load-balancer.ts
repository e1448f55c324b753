/**
 * Endpoint choice within a cluster, equal weights, as Envoy does it for a DestinationRule's
 * `loadBalancer.simple`: LEAST_REQUEST (Istio's default; power of two choices — draw two endpoints
 * at random and take the one with fewer requests in flight from this proxy), ROUND_ROBIN (in turn,
 * per cluster, from a random start) or RANDOM.
 */
import type { Endpoint } from '../translate/model.js';
import type { LbPolicy } from '../translate/clusters.js';

export class LoadBalancer {
  private readonly active = new Map<string, number>();
  private readonly turns = new Map<string, number>();

  constructor(private readonly random: () => number) {}

  /** `cluster` keys the round-robin turn; hosts in `avoid` (already tried) are skipped while others remain. */
  pick(
    endpoints: readonly Endpoint[],
    avoid: ReadonlySet<string> | null,
    policy: LbPolicy = 'LEAST_REQUEST',
    cluster = '',
  ): Endpoint {
    let pool = endpoints;
    if (avoid?.size) {
      const fresh = endpoints.filter((e) => !avoid.has(e.address));
      if (fresh.length) pool = fresh;
    }
    if (pool.length === 1) return pool[0]!;
    if (policy === 'RANDOM') return pool[Math.floor(this.random() * pool.length)]!;
    if (policy === 'ROUND_ROBIN') {
      const turn = this.turns.get(cluster) ?? Math.floor(this.random() * pool.length);
      this.turns.set(cluster, turn + 1);
      return pool[turn % pool.length]!;
    }
    const a = pool[Math.floor(this.random() * pool.length)]!;
    let b = pool[Math.floor(this.random() * (pool.length - 1))]!;
    if (b === a) b = pool[pool.length - 1]!;
    return this.inFlight(b.address) < this.inFlight(a.address) ? b : a;
  }

  inFlight(address: string): number {
    return this.active.get(address) ?? 0;
  }

  begin(address: string): void {
    this.active.set(address, this.inFlight(address) + 1);
  }

  end(address: string): void {
    this.active.set(address, Math.max(0, this.inFlight(address) - 1));
  }
}
