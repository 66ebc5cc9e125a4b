import { Logger } from '@nestjs/common';
import { type CounterCheck, decimalToMicros, type KeyValueStore, type Marker } from '@sms/counters';
import { StatusEventKind, StatusEventSource, type StatusChangedV1 } from '@sms/contracts';
import { metrics } from '@sms/metrics';
import { ApiError, serviceUnavailable, unprocessable } from '@sms/platform';
import type { ValidatedMessage } from '../messages/message-request.validator';
import { phoneParseCache } from '../messages/phone-cache';
import {
  type AccountLimits,
  countryPermitted,
  type KeyLimits,
  type NumberTypeName,
  numberTypePermitted,
  type Quotas,
} from './limit-policy';
import {
  counterKey,
  type CounterKind,
  type CounterScope,
  type LimitWindows,
  WINDOW_TTL_MS,
  windowsAt,
} from './limit-windows';
import type { LimitsStore } from './limits.store';
import type { PriceBookReader } from './price-book.reader';
import type { PumpingGuard } from './pumping-guard';

export type AdmissionPath = 'rest' | 'topic';

export interface AdmissionRequest {
  readonly accountId: string;
  /** The API key that sent it (REST); null for `sms.send.v1`, which only the account's limits cover. */
  readonly keyId: string | null;
  readonly messageId: string;
  readonly message: ValidatedMessage;
}

/** What an admitted message consumed, to give back if it is not written after all. */
export interface AdmissionTicket {
  readonly checks: readonly CounterCheck[];
  readonly bookingKey: string | null;
}

/** What a message's spend booking remembers until its real cost is known. */
interface Booking {
  /** Account and (when it has limits of its own) key whose spend counters hold the estimate. */
  readonly a: string;
  readonly k: string | null;
  /** Estimated spend in micro-units. */
  readonly e: number;
  /** The day and month windows it was booked in: the correction goes to the same ones. */
  readonly d: string;
  readonly m: string;
}

/** A booking outlives any message: the longest validity (72 h) plus a day of retries and receipts. */
const BOOKING_TTL_MS = 4 * 24 * 3600 * 1000;

interface QuotaRule {
  readonly field: keyof Quotas;
  readonly kind: CounterKind;
  readonly window: keyof LimitWindows['secondsLeft'];
  readonly code: 'RATE_LIMITED' | 'DAILY_LIMIT_REACHED' | 'SPEND_CAP_REACHED';
  readonly amount: (message: ValidatedMessage, spendMicros: number) => number;
}

/** In the order a refusal reports them: the rate first (it clears soonest), then the day, then spend. */
const QUOTA_RULES: readonly QuotaRule[] = [
  { field: 'messagesPerSecond', kind: 'messages-second', window: 'second', code: 'RATE_LIMITED', amount: () => 1 },
  { field: 'messagesPerDay', kind: 'messages-day', window: 'day', code: 'DAILY_LIMIT_REACHED', amount: () => 1 },
  {
    field: 'segmentsPerDay',
    kind: 'segments-day',
    window: 'day',
    code: 'DAILY_LIMIT_REACHED',
    amount: (message) => message.segments,
  },
  {
    field: 'spendPerDayMicros',
    kind: 'spend-day',
    window: 'day',
    code: 'SPEND_CAP_REACHED',
    amount: (_, spend) => spend,
  },
  {
    field: 'spendPerMonthMicros',
    kind: 'spend-month',
    window: 'month',
    code: 'SPEND_CAP_REACHED',
    amount: (_, spend) => spend,
  },
];

const MESSAGES: Record<QuotaRule['code'], string> = {
  RATE_LIMITED: 'Too many messages per second for this account or key',
  DAILY_LIMIT_REACHED: "This account or key reached today's message or segment limit",
  SPEND_CAP_REACHED: 'This account or key reached its spend cap',
};

export interface AdmissionOptions {
  readonly enabled: boolean;
  /** Namespace of the counters in the KeyValueStore (REDIS_KEY_PREFIX). */
  readonly namespace: string;
  readonly currency: string;
}

/**
 * The one admission step of every send (REST, `sms.send.v1`, any later batch path): after a request is
 * valid and before it is written, it must be to a permitted country and number type, not look like
 * pumping, and fit every quota of its account (and of its key, when the key has limits of its own).
 *
 * Quotas are counters in the KeyValueStore (Redis: every replica shares them; in memory embedded),
 * checked and incremented in one atomic step, so concurrent requests never overrun one and a refused
 * request consumes nothing; a request refused later (the ledger write failing) is given back with
 * {@link release}. Spend is booked at acceptance from the price book and corrected by {@link reconcile}
 * when the real cost arrives.
 */
export class Admission {
  private readonly logger = new Logger('intake-limits');

  constructor(
    private readonly kv: KeyValueStore,
    private readonly limits: LimitsStore,
    private readonly prices: PriceBookReader,
    private readonly guard: PumpingGuard,
    private readonly options: AdmissionOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admits the message or throws its refusal (422 / 429 ApiError with a stable code). */
  async admit(request: AdmissionRequest, path: AdmissionPath): Promise<AdmissionTicket | null> {
    if (!this.options.enabled) {
      return null;
    }
    try {
      return await this.decide(request);
    } catch (error) {
      if (error instanceof ApiError) {
        metrics.limitRefusals.inc({ code: error.code, path });
        throw error;
      }
      if (path === 'rest') {
        // The counters' store is down: the caller retries later; nothing is admitted unchecked.
        this.logger.warn(`limits unavailable: ${String(error)}`);
        throw serviceUnavailable('The limits store is unavailable, retry later');
      }
      // A bus record is retried by its consumer, never refused for an outage.
      throw error;
    }
  }

  /** Gives back what an admitted message consumed when it was not written after all. Never throws. */
  async release(ticket: AdmissionTicket | null): Promise<void> {
    if (ticket === null) {
      return;
    }
    try {
      // Every counter given back in one store call (one Redis script), not one call per counter.
      const giveBack = ticket.checks
        .filter((check) => check.by !== 0)
        .map((check) => ({ key: check.key, by: -check.by, limit: null, ttlMs: check.ttlMs }));
      await Promise.all([
        ...(giveBack.length === 0 ? [] : [this.kv.incrementWithinLimits(giveBack)]),
        ...(ticket.bookingKey === null ? [] : [this.kv.delete(ticket.bookingKey)]),
      ]);
    } catch (error) {
      this.logger.warn(`could not give back a refused message's quota: ${String(error)}`);
    }
  }

  /**
   * Corrects a message's booked spend once its outcome is known: by the difference to the real cost when
   * the `sent` event carries one in the spend currency, to zero when it `failed` before any send (a
   * router or send-worker failure; a receipt's may come after a charged send and corrects nothing).
   * The booking is taken atomically, so a redelivered or concurrent event corrects nothing twice.
   * Never throws: a store outage leaves the estimate booked (the cautious side) rather than stall statuses.
   */
  async reconcile(event: StatusChangedV1): Promise<void> {
    const costed = event.kind === StatusEventKind.Sent && !!event.cost;
    // A receipt's `failed` may follow a send that was charged; only a failure before any send refunds.
    // A cancelled or expired message was never sent, whoever reports it.
    const unsent =
      (event.kind === StatusEventKind.Failed && event.source !== StatusEventSource.Dlr) ||
      event.kind === StatusEventKind.Cancelled ||
      event.kind === StatusEventKind.Expired;
    if (!this.options.enabled || (!costed && !unsent)) {
      return;
    }
    try {
      const text = await this.kv.take(this.bookingKey(event.messageId));
      if (text === null) {
        return;
      }
      const booking = JSON.parse(text) as Booking;
      let actual = 0;
      if (costed) {
        const cost = event.currency === this.options.currency ? decimalToMicros(event.cost ?? '') : null;
        if (cost === null) {
          // Another currency, or unreadable: the estimate stands.
          return;
        }
        actual = cost;
      }
      const difference = actual - booking.e;
      if (difference === 0) {
        return;
      }
      const scopes: CounterScope[] = [{ account: booking.a }, ...(booking.k === null ? [] : [{ key: booking.k }])];
      // The day's and month's counters of the account (and key) corrected in one store call (one Redis
      // script, applied whole), not one call per counter: this runs for nearly every `sent` event.
      await this.kv.incrementWithinLimits(
        scopes.flatMap((scope) => [
          { key: this.counter(scope, 'spend-day', booking.d), by: difference, limit: null, ttlMs: WINDOW_TTL_MS.day },
          {
            key: this.counter(scope, 'spend-month', booking.m),
            by: difference,
            limit: null,
            ttlMs: WINDOW_TTL_MS.month,
          },
        ]),
      );
    } catch (error) {
      this.logger.warn(`spend reconciliation failed, the estimate stays booked: ${String(error)}`);
    }
  }

  /**
   * A message intake itself ended unsent (cancelled by its caller, expired before its release): its booked
   * spend is given back, as for a `failed` before any send. Never throws.
   */
  async refundUnsent(messageId: string): Promise<void> {
    await this.reconcile({
      eventId: messageId,
      messageId,
      kind: StatusEventKind.Cancelled,
      source: StatusEventSource.Intake,
      attempt: null,
      provider: null,
      providerMessageId: null,
      errorCode: null,
      errorMessage: null,
      errorClass: null,
      ambiguous: null,
      cost: null,
      currency: null,
      detail: null,
      occurredAt: new Date(this.now()).toISOString(),
    });
  }

  private async decide({ accountId, keyId, messageId, message }: AdmissionRequest): Promise<AdmissionTicket> {
    const set = await this.limits.forAccount(accountId);
    const key = keyId === null ? null : (set.keys.get(keyId) ?? null);
    if (!countryPermitted(message.country, set.account, key)) {
      throw unprocessable(
        'COUNTRY_NOT_PERMITTED',
        `Sending to ${message.country} is not permitted for this account or key`,
        'to',
      );
    }
    const type = numberTypeOf(message.to);
    if (!numberTypePermitted(type, set.account, key)) {
      throw unprocessable(
        'NUMBER_TYPE_NOT_PERMITTED',
        `Sending to ${type.toLowerCase().replace(/_/g, '-')} numbers is not permitted for this account or key`,
        'to',
      );
    }
    const pricePerSegment = await this.prices.pricePerSegmentMicros(message.country);
    const spend = pricePerSegment * message.segments;
    await this.guard.check(accountId, message.to, message.country, pricePerSegment);

    const windows = windowsAt(this.now());
    const owners: { scope: CounterScope; limits: AccountLimits | KeyLimits }[] = [
      { scope: { account: accountId }, limits: set.account },
      ...(key === null || keyId === null ? [] : [{ scope: { key: keyId }, limits: key }]),
    ];
    const rules: QuotaRule[] = [];
    const checks: CounterCheck[] = [];
    for (const rule of QUOTA_RULES) {
      for (const owner of owners) {
        rules.push(rule);
        checks.push({
          key: this.counter(owner.scope, rule.kind, windows[rule.window]),
          by: rule.amount(message, spend),
          limit: owner.limits[rule.field],
          ttlMs: WINDOW_TTL_MS[rule.window],
        });
      }
    }
    const booking =
      spend > 0
        ? this.bookingOf(messageId, message, {
            a: accountId,
            k: owners[1] ? keyId : null,
            e: spend,
            d: windows.day,
            m: windows.month,
          })
        : null;
    const { over, booked } = await this.count(checks, booking);
    const refused = rules[over];
    if (refused) {
      throw new ApiError(429, refused.code, MESSAGES[refused.code], undefined, {
        'retry-after': String(windows.secondsLeft[refused.window]),
      });
    }

    return { checks, bookingKey: booked && booking ? booking.key : null };
  }

  /**
   * The quotas counted and, in the same store call (one Redis script per request, not two), the message's
   * spend booking written: only when every quota admits it, and only if the message has none yet (a
   * redelivered record of a message already booked keeps the first booking and does not own it).
   */
  private async count(
    checks: readonly CounterCheck[],
    booking: Marker | null,
  ): Promise<{ over: number; booked: boolean }> {
    if (booking === null) {
      return { over: await this.kv.incrementWithinLimits(checks), booked: false };
    }
    const { over, set } = await this.kv.incrementWithinLimitsAndSet(checks, booking);

    return { over, booked: set };
  }

  /** A message's spend booking; a scheduled message is sent (its real cost known) only after its sendAt: it waits too. */
  private bookingOf(messageId: string, message: ValidatedMessage, booking: Booking): Marker {
    const lead = Math.max(0, (message.sendAt?.getTime() ?? 0) - this.now());

    return { key: this.bookingKey(messageId), value: JSON.stringify(booking), ttlMs: BOOKING_TTL_MS + lead };
  }

  /**
   * The account's spend booked for the current UTC day in micro-units (the spend-cap counter), or null when
   * limits are off and nothing is counted.
   */
  async spendTodayMicros(accountId: string): Promise<number | null> {
    if (!this.options.enabled) {
      return null;
    }
    const value = await this.kv.get(this.counter({ account: accountId }, 'spend-day', windowsAt(this.now()).day));

    return value === null ? 0 : Math.max(0, Number(value) || 0);
  }

  /** The currency spend is counted in (LIMITS_CURRENCY). */
  get currency(): string {
    return this.options.currency;
  }

  private counter(scope: CounterScope, kind: CounterKind, window: string): string {
    return counterKey(this.options.namespace, scope, kind, window);
  }

  private bookingKey(messageId: string): string {
    return `${this.options.namespace}limits:booking:${messageId}`;
  }
}

/** The recipient's number type from the metadata (the validator kept only the number and country). */
function numberTypeOf(e164: string): NumberTypeName {
  // The validator parsed the request's text; this is the E.164 form, parsed once per number too.
  const phone = phoneParseCache.parse(e164);

  return phone.ok && phone.type !== undefined ? phone.type : 'UNKNOWN';
}
