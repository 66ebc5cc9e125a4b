/**
 * Schedule gaps up to this long are kept between a sender's actual sends. Carriers count a number's
 * segments over about a second: gaps longer than that are idle time, and lateness is forgiven across them.
 */
export const PACING_WINDOW_MS = 1_000;

/** Entries this old are dropped (lazily) so the map holds only senders active within the window. */
const FORGET_AFTER_MS = 10 * PACING_WINDOW_MS;

/**
 * Keeps a sender's sends at least as far apart as their slots on its schedule. Dispatches of one sender
 * wait on their own timers side by side, so a timer that fires late (a busy event loop) would otherwise
 * let the next send follow it closer than the carrier limit allows: a send never starts sooner after the
 * sender's previous one than the gap between their slots, when that gap is within PACING_WINDOW_MS. The
 * cost is that lateness carries over within an unbroken run of slots, as it did one call at a time.
 */
export class SenderPacer {
  /** sender → the latest slot that started, and when it did (ms since the epoch). */
  private readonly last = new Map<string, { readonly slot: number; readonly startedAt: number }>();
  private sweptAt = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Milliseconds to wait before the send at `slot` may start. */
  delayFor(sender: string, slot: number): number {
    const previous = this.last.get(sender);
    if (!previous) {
      return 0;
    }
    const gap = slot - previous.slot;
    if (gap <= 0 || gap > PACING_WINDOW_MS) {
      return 0;
    }

    return Math.max(0, previous.startedAt + gap - this.clock());
  }

  /** Records that the send at `slot` starts now. */
  started(sender: string, slot: number): void {
    const now = this.clock();
    const previous = this.last.get(sender);
    if (!previous || slot >= previous.slot) {
      this.last.set(sender, { slot, startedAt: now });
    }
    if (now - this.sweptAt > FORGET_AFTER_MS) {
      this.sweptAt = now;
      for (const [key, entry] of this.last) {
        if (now - entry.startedAt > FORGET_AFTER_MS) {
          this.last.delete(key);
        }
      }
    }
  }
}
