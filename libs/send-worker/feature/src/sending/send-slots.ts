import type { ProviderRegistry } from '@sms/providers';
import { InFlightLimiter } from './in-flight.limiter';

/**
 * Provider calls this process may have in flight at once, across every sender and provider: a bound on
 * sockets, memory and the damage of a runaway backlog, well above what the senders' rates need.
 */
export const SEND_MAX_IN_FLIGHT = 2_048;

/**
 * Bounds the provider calls in flight: process-wide (SEND_MAX_IN_FLIGHT) and per provider where the adapter
 * has a window of its own (SMPP: binds × window submits, one per segment). Waiting here rather than in the
 * adapter keeps a send from timing out in the adapter's queue (SMPP_WINDOW_FULL) while the window is busy
 * with sends that were all on schedule. Taken before the claim, so a waiting dispatch has claimed nothing.
 */
export class SendSlots {
  private readonly global: InFlightLimiter;
  private readonly perProvider = new Map<string, InFlightLimiter | null>();

  constructor(
    private readonly providers: ProviderRegistry,
    maxInFlight = SEND_MAX_IN_FLIGHT,
  ) {
    this.global = new InFlightLimiter(maxInFlight);
  }

  /** Holds a slot for one dispatch of `segments` parts through `providerId`; call the result to free it. */
  async acquire(providerId: string, segments: number): Promise<() => void> {
    const window = this.windowOf(providerId);
    // Always the provider's window first, then the global one: one order, so no two sends wait on each other.
    const releaseWindow = window ? await window.acquire(segments) : undefined;
    const releaseGlobal = await this.global.acquire(1);

    return () => {
      releaseGlobal();
      releaseWindow?.();
    };
  }

  private windowOf(providerId: string): InFlightLimiter | null {
    let window = this.perProvider.get(providerId);
    if (window === undefined) {
      const limit = this.providers.has(providerId) ? this.providers.get(providerId).maxInFlightSegments : undefined;
      window = limit === undefined ? null : new InFlightLimiter(limit);
      this.perProvider.set(providerId, window);
    }

    return window;
  }
}
