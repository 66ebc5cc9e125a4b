import { Logger } from '@nestjs/common';
import type { Bus, ConsumedRecord } from '@sms/bus';
import { metrics } from '@sms/metrics';
import {
  decodeEvent,
  type DispatchRequestedV1,
  MessageAcceptedV1,
  newEventId,
  type StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  statusRecords,
  TOPICS,
  VALIDITY_EXPIRED,
} from '@sms/contracts';
import type { NoRouteBacklog } from './no-route-backlog';
import type { RoutingEngine } from './routing-engine';
import type { RoutingMetrics } from './routing-metrics';

/** The error code of a message that found no route before its deadline (api.md: no provider may send there). */
export const NO_ROUTE = 'NO_ROUTE';

/**
 * Routes each accepted message and publishes the dispatch, keyed by sender number. A message no
 * provider can take now waits in the backlog (still `queued`); a message that breaks a compliance
 * rule that no retry can fix (blocked country, non-compliant `from`) is failed with the rule's code.
 */
export class RouterConsumer {
  private readonly logger = new Logger('router');
  private timer: NodeJS.Timeout | null = null;
  /** The backlog's tick, from start() until stop(). */
  private intervalMs: number | null = null;
  private draining: Promise<void> | null = null;

  constructor(
    private readonly engine: RoutingEngine,
    private readonly bus: Bus,
    private readonly backlog: NoRouteBacklog,
    private readonly metrics: RoutingMetrics,
    private readonly now: () => Date = () => new Date(),
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    const message = decodeEvent(MessageAcceptedV1, record.value);
    const expiresAt = message.expiresAt ? Date.parse(message.expiresAt) : Number.NaN;
    if (expiresAt <= this.now().getTime()) {
      // Its validity ran out on the way here (a consumer lag, a stale-message republish): never sent late.
      // (The backlog's own last try falls on the deadline and ends in holdOrExpire.)
      this.backlog.release(message);
      await this.bus.publish([...statusRecords(this.expiry(message, 'before it could be routed', this.now()))]);

      return;
    }
    await this.routeAndPublish(message, record.headers);
  };

  /**
   * Re-routes backlog messages as they fall due, every `intervalMs` while the backlog holds any: the timer
   * is armed by a hold and disarmed by the first tick that finds the backlog empty, so an idle router is
   * not woken for an empty backlog.
   */
  start(intervalMs: number): void {
    this.intervalMs = intervalMs;
    this.tickWhileHolding();
  }

  private tickWhileHolding(): void {
    if (this.intervalMs === null || this.timer || this.backlog.size() === 0) {
      return;
    }
    this.timer = setInterval(() => {
      if (this.backlog.size() === 0 && !this.draining) {
        this.stopTicking();

        return;
      }
      this.draining ??= this.drainBacklog().finally(() => {
        this.draining = null;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** True while the backlog's timer is armed. */
  get ticking(): boolean {
    return this.timer !== null;
  }

  private stopTicking(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  async stop(): Promise<void> {
    this.intervalMs = null;
    this.stopTicking();
    await this.draining;
  }

  async drainBacklog(): Promise<void> {
    for (const message of this.backlog.takeDue()) {
      try {
        await this.routeAndPublish(message, undefined);
      } catch (error) {
        this.logger.warn(`backlog retry of ${message.messageId} failed: ${String(error)}`);
        await this.holdOrExpire(message, `routing failed: ${String(error)}`).catch((again: unknown) =>
          // Left `queued`: the stale-message sweep brings it back, past its deadline, to be ended then.
          this.logger.warn(`could not end ${message.messageId} after its deadline: ${String(again)}`),
        );
      }
    }
  }

  private async routeAndPublish(message: MessageAcceptedV1, headers: ConsumedRecord['headers'] | undefined) {
    const fallbackError = message.fallbackOfError ?? null;
    const outcome = await this.engine.route({
      to: message.to,
      country: message.country,
      from: message.from,
      segments: message.segments,
      messageClass: message.messageClass,
      avoidProviders: message.avoidProviders,
      // A DLR fallback only makes sense through another provider: the ones that failed it are excluded
      // from the decision itself, so none of their numbers' rate-limit slots is booked for nothing.
      excludeProviders: fallbackError === null ? [] : message.avoidProviders,
      pinProvider: message.pinProvider,
    });
    this.metrics.countDecision(outcome.kind);
    if (fallbackError !== null && outcome.kind === 'no-route') {
      // No other provider can take the fallback: the receipt's failure stands.
      await this.bus.publish([...statusRecords(this.fallbackEnd(message, fallbackError, this.now()))]);

      return;
    }
    if (outcome.kind === 'no-route') {
      metrics.noRoute.inc({ country: message.country });
      await this.holdOrExpire(message, outcome.reason);

      return;
    }
    this.backlog.release(message);
    const at = this.now();
    if (outcome.kind === 'refused') {
      await this.bus.publish([...statusRecords(this.refusal(message, outcome, at))]);

      return;
    }
    const dispatch: DispatchRequestedV1 = {
      messageId: message.messageId,
      accountId: message.accountId,
      attempt: message.attempt,
      provider: outcome.providerId,
      from: outcome.sender,
      to: message.to,
      body: message.body,
      encoding: message.encoding,
      segments: message.segments,
      validitySeconds: message.validitySeconds,
      expiresAt: message.expiresAt ?? null,
      price: outcome.price,
      currency: outcome.currency,
      routeReason: outcome.reason.slice(0, 512),
      country: message.country,
      ...(outcome.network ? { network: outcome.network } : {}),
      routedAt: at.toISOString(),
      sendAt: outcome.delayMs > 0 ? new Date(at.getTime() + outcome.delayMs).toISOString() : null,
    };
    await this.bus.publish([{ topic: TOPICS.dispatch, key: outcome.sender, value: dispatch, headers }]);
  }

  /**
   * Waits for a route in the backlog until the message's deadline (its validity, or the max wait when it
   * has none); past it, the message ends `expired` (VALIDITY_EXPIRED) or, past the max wait, `failed` with
   * NO_ROUTE, through the same status path as the router's other terminal outcomes.
   */
  private async holdOrExpire(message: MessageAcceptedV1, why: string): Promise<void> {
    const held = this.backlog.hold(message);
    if (held.kind === 'held') {
      this.tickWhileHolding();
    }
    if (held.kind === 'full') {
      this.logger.warn(`no-route backlog full; ${message.messageId} waits for the stale-message sweep`);
    }
    if (held.kind !== 'expired') {
      return;
    }
    if (held.because === 'validity') {
      // Its own validity ran out while it waited for a route: `expired`, the status of every message whose
      // validity passes before it is sent (the max wait of a message without one is the router's: NO_ROUTE).
      await this.bus.publish([
        ...statusRecords(this.expiry(message, `while it waited for a route (${why})`, this.now())),
      ]);
      metrics.noRouteExpired.inc({ country: message.country, reason: held.because });
      this.logger.warn(`${message.messageId} to ${message.country} expired waiting for a route`);

      return;
    }
    const waited = `by ${new Date(held.at).toISOString()} (it has no validity; ROUTER_NO_ROUTE_MAX_WAIT_SECONDS after acceptance)`;
    const reason = `no provider could take the message ${waited}: ${why}`;
    await this.bus.publish([...statusRecords(this.refusal(message, { code: NO_ROUTE, reason }, this.now()))]);
    metrics.noRouteExpired.inc({ country: message.country, reason: held.because });
    this.logger.warn(
      `${message.messageId} to ${message.country} failed ${NO_ROUTE}: no route before its deadline (${held.because})`,
    );
  }

  private expiry(message: MessageAcceptedV1, when: string, at: Date): StatusChangedV1 {
    const reason = `its validity ran out ${when}`.slice(0, 512);

    return {
      eventId: newEventId(),
      messageId: message.messageId,
      accountId: message.accountId,
      kind: StatusEventKind.Expired,
      source: StatusEventSource.Router,
      attempt: message.attempt,
      provider: null,
      providerMessageId: null,
      errorCode: VALIDITY_EXPIRED,
      errorMessage: reason,
      errorClass: 'permanent',
      ambiguous: false,
      cost: null,
      currency: null,
      detail: reason,
      occurredAt: at.toISOString(),
    };
  }

  private fallbackEnd(message: MessageAcceptedV1, errorCode: string, at: Date): StatusChangedV1 {
    const reason = `no provider other than ${message.avoidProviders.join(', ')} can take the fallback for ${message.country}`;
    // The re-send of an overdue receipt (reconciliation's RECEIPT_TIMEOUT) had no failure to stand: the
    // message ends `unknown`, as it would have without the re-send.
    const overdue = errorCode === 'RECEIPT_TIMEOUT';

    return {
      eventId: newEventId(),
      messageId: message.messageId,
      accountId: message.accountId,
      kind: overdue ? StatusEventKind.Unknown : StatusEventKind.Undelivered,
      source: StatusEventSource.Router,
      attempt: message.attempt,
      provider: null,
      providerMessageId: null,
      errorCode,
      errorMessage: reason,
      errorClass: 'transient',
      ambiguous: false,
      cost: null,
      currency: null,
      detail: `${reason}: ${overdue ? 'the message ends unknown' : "the receipt's failure stands"}`,
      occurredAt: at.toISOString(),
    };
  }

  private refusal(message: MessageAcceptedV1, outcome: { code: string; reason: string }, at: Date): StatusChangedV1 {
    return {
      eventId: newEventId(),
      messageId: message.messageId,
      accountId: message.accountId,
      kind: StatusEventKind.Failed,
      source: StatusEventSource.Router,
      attempt: message.attempt,
      provider: null,
      providerMessageId: null,
      errorCode: outcome.code,
      errorMessage: outcome.reason.slice(0, 512),
      errorClass: 'permanent',
      ambiguous: false,
      cost: null,
      currency: null,
      detail: outcome.reason.slice(0, 512),
      occurredAt: at.toISOString(),
    };
  }
}
