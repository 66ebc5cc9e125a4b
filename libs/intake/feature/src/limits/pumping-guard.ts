import { Logger } from '@nestjs/common';
import type { KeyValueStore } from '@sms/counters';
import { metrics } from '@sms/metrics';
import { ApiError } from '@sms/platform';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';

export interface PumpingGuardOptions {
  readonly namespace: string;
  readonly windowMs: number;
  /** Distinct recipients sharing a prefix (the number without its last `prefixDigits`) that trip the guard. */
  readonly sequentialRecipients: number;
  readonly prefixDigits: number;
  /** A country whose price per segment is at least this is high-cost. */
  readonly highCostMicros: number;
  /** Distinct recipients in one high-cost country that trip the guard. */
  readonly highCostRecipients: number;
  readonly blockMs: number;
}

export type PumpingReason = 'sequential' | 'high_cost';

/**
 * SMS pumping sends to numbers the fraudster controls: typically a run of neighbouring numbers in one
 * range, or many numbers in one expensive destination, in a short burst. The guard counts, per account
 * over a window, the distinct recipients in each number range (all but the last 2-3 digits) and, for
 * high-cost countries, in the country; the recipient that reaches a threshold is refused and blocks the
 * account from that range or country for a while (429 PUMPING_SUSPECTED), with an audit log line and a
 * metric. Repeats to one recipient do not count: that is a conversation, not a sweep. The windows and
 * blocks live in the KeyValueStore, so every replica sees the same bursts and the same blocks.
 */
export class PumpingGuard {
  private readonly audit = new Logger('limits-audit');

  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: PumpingGuardOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws PUMPING_SUSPECTED when the account is blocked from the recipient's range or country, or now trips it. */
  async check(accountId: string, to: string, country: string, pricePerSegmentMicros: number): Promise<void> {
    const range = to.slice(0, -this.options.prefixDigits);
    const highCost = pricePerSegmentMicros >= this.options.highCostMicros;
    const targets: { reason: PumpingReason; scope: string; threshold: number }[] = [
      { reason: 'sequential', scope: `range:${range}`, threshold: this.options.sequentialRecipients },
    ];
    if (highCost) {
      targets.push({ reason: 'high_cost', scope: `country:${country}`, threshold: this.options.highCostRecipients });
    }
    // The blocks and the windows they guard in one store call (one Redis script per request, not two).
    const added = await this.kv.addToSetsUnlessGuarded(
      targets.map((target) => this.blockKey(accountId, target.scope)),
      targets.map((target) => this.windowKey(accountId, target.scope)),
      to,
      this.options.windowMs,
    );
    if (added.guarded) {
      const blockedUntil = Math.max(...added.guards.map((value) => (value === null ? 0 : Number(value) || 0)));
      throw suspected(this.secondsUntil(blockedUntil));
    }
    const counts = added.sizes;
    const tripped = targets.find((target, index) => (counts[index] ?? 0) >= target.threshold);
    if (tripped) {
      const until = this.now() + this.options.blockMs;
      await this.kv.set(this.blockKey(accountId, tripped.scope), String(until), this.options.blockMs);
      // A fresh window after the block: the burst that tripped it is not held against the account again.
      await this.kv.delete(this.windowKey(accountId, tripped.scope));
      metrics.pumpingBlocks.inc({ reason: tripped.reason, country });
      this.audit.warn(
        `pumping block: account=${accountId} reason=${tripped.reason} country=${country} ` +
          `range=${redactRange(range, country, this.options.prefixDigits)} recipients=${counts[targets.indexOf(tripped)]} ` +
          `windowSeconds=${Math.round(this.options.windowMs / 1000)} blockSeconds=${Math.round(this.options.blockMs / 1000)}`,
      );
      throw suspected(this.secondsUntil(until));
    }
  }

  /**
   * Erasure (docs/privacy.md): takes `to` out of the account's windows it was counted in (its range, and its
   * country's, which only high-cost countries have). Answers how many windows held it.
   */
  async forget(accountId: string, to: string, country: string): Promise<number> {
    const range = to.slice(0, -this.options.prefixDigits);
    const removed = await Promise.all([
      this.kv.removeFromSet(this.windowKey(accountId, `range:${range}`), to),
      this.kv.removeFromSet(this.windowKey(accountId, `country:${country}`), to),
    ]);

    return removed[0] + removed[1];
  }

  private secondsUntil(epochMs: number): number {
    return Math.max(1, Math.ceil((epochMs - this.now()) / 1000));
  }

  private windowKey(accountId: string, scope: string): string {
    return `${this.options.namespace}limits:pumping:window:${accountId}:${scope}`;
  }

  private blockKey(accountId: string, scope: string): string {
    return `${this.options.namespace}limits:pumping:block:${accountId}:${scope}`;
  }
}

function suspected(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    'PUMPING_SUSPECTED',
    'Sending to this number range or destination is paused for this account: the traffic looks like SMS pumping',
    'to',
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/**
 * For the audit log: the calling code and how many digits follow, e.g. `+44********xxx` for the UK
 * range that a number such as `+447400900123` falls in with 3 trailing digits; never the range's digits.
 */
export function redactRange(range: string, country: string, trailingDigits: number): string {
  let code = '';
  try {
    code = getCountryCallingCode(country as CountryCode);
  } catch {
    code = '';
  }
  const digits = range.replace(/^\+/, '');
  const hidden = digits.startsWith(code) ? digits.length - code.length : digits.length;

  return `+${digits.startsWith(code) ? code : ''}${'*'.repeat(hidden)}${'x'.repeat(trailingDigits)}`;
}
