/**
 * Answers released in the order their requests were sent: answer i goes out only once every
 * answer sent before it has come back. A concurrent sampler completes fast answers first; a
 * sequential test fed in completion order sees the slow version under-counted while its requests
 * are in flight, and its stopping rule then looks at a sample biased by latency (at concurrency 44
 * with v3 ten times slower, a correct 90/10 failed 85 % of the time). Released in send order,
 * whatever the test has seen is the first n requests dispatched, and which version serves a
 * request is drawn when it is sent, independently of how long others take: the n answers are a
 * plain sample of the split however the latencies differ, so the test's guarantees hold as stated.
 * The cost is that a slow answer holds back the ones behind it. The sampler bounds how many: it
 * sends only while `outstanding` (sent, not yet released) is under its concurrency, waiting on
 * `nextRelease()` otherwise, so a verdict at answer n has cost at most n + concurrency requests.
 */
export class InOrder<T> {
  private nextToRelease = 0;
  private sent = 0;
  private readonly waiting = new Map<number, T>();
  private wakers: (() => void)[] = [];

  constructor(private readonly release: (value: T, index: number) => void) {}

  /** Index for a request about to be sent. */
  send(): number {
    return this.sent++;
  }

  /** The answer to request `index`; releases it and every answer it was holding back. */
  complete(index: number, value: T): void {
    if (index < this.nextToRelease || index >= this.sent || this.waiting.has(index))
      throw new Error(`answer ${index} completed twice or never sent`);
    this.waiting.set(index, value);
    const before = this.nextToRelease;
    while (this.waiting.has(this.nextToRelease)) {
      const v = this.waiting.get(this.nextToRelease)!;
      this.waiting.delete(this.nextToRelease);
      this.release(v, this.nextToRelease++);
    }
    if (this.nextToRelease > before) this.wake();
  }

  /** Requests sent whose answers have not been released yet: in flight, or back and held. */
  get outstanding(): number {
    return this.sent - this.nextToRelease;
  }

  /** Resolves at the next release (or wake()): for a sender that must wait for room. */
  nextRelease(): Promise<void> {
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  /** Resolves every nextRelease() waiting now: a sender that stops wakes the others to stop too. */
  wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  /** Answers back but held behind a slower one. */
  get held(): number {
    return this.waiting.size;
  }
}
