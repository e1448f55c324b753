/**
 * Envoy's default LEAST_REQUEST balancing with equal weights: power of two choices — draw two
 * endpoints at random and take the one with fewer requests in flight from this proxy.
 */
import type { Endpoint } from '../translate/model.js';

export class LeastRequest {
  private readonly active = new Map<string, number>();

  constructor(private readonly random: () => number) {}

  pick(endpoints: readonly Endpoint[], avoid: ReadonlySet<string> | null): Endpoint {
    let pool = endpoints;
    if (avoid?.size) {
      const fresh = endpoints.filter((e) => !avoid.has(e.address));
      if (fresh.length) pool = fresh;
    }
    if (pool.length === 1) return pool[0]!;
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
