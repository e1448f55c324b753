/** Counts of what a proxy met and could not do, by description, for reports and diagnostics. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }

  get size(): number {
    return this.counts.size;
  }

  /** Most frequent first, then by name. */
  entries(): [string, number][] {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  clear(): void {
    this.counts.clear();
  }
}
