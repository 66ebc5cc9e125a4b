/**
 * Paces receipt processing at most `perSecond` per process so a storm of stored receipts drains at a
 * controlled rate instead of flooding intake (the raw rows and Kafka absorb the burst). A plain
 * spacing limiter is enough here: callers are the bus's consumer slots, which simply wait.
 */
export class RateLimiter {
  private nextSlot = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async take(): Promise<void> {
    if (this.perSecond <= 0) {
      return;
    }
    const interval = 1000 / this.perSecond;
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) {
      await new Promise((resolve) => setTimeout(resolve, slot - now));
    }
  }
}
