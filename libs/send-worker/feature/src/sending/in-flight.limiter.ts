/**
 * A weighted FIFO semaphore: at most `capacity` units held at once, waiters served in arrival order (a
 * small request never overtakes a large one queued before it, so a long message is not starved). Written
 * here because the one-screen need (weights, FIFO, synchronous release) fits no dependency the project has.
 */
export class InFlightLimiter {
  private held = 0;
  private readonly waiters: { readonly units: number; readonly grant: () => void }[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
  }

  get inUse(): number {
    return this.held;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with the release function once `units` (capped at the capacity) are held. */
  async acquire(units = 1): Promise<() => void> {
    const wanted = Math.min(Math.max(1, Math.ceil(units)), this.capacity);
    if (this.waiters.length === 0 && this.held + wanted <= this.capacity) {
      this.held += wanted;
    } else {
      await new Promise<void>((grant) => this.waiters.push({ units: wanted, grant }));
    }
    let released = false;

    return () => {
      if (released) {
        return;
      }
      released = true;
      this.held -= wanted;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    for (let next = this.waiters[0]; next && this.held + next.units <= this.capacity; next = this.waiters[0]) {
      this.waiters.shift();
      this.held += next.units;
      next.grant();
    }
  }
}
