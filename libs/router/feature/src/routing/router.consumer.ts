import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Bus, ConsumedRecord } from '@sms/bus';
import { metrics } from '@sms/metrics';
import {
  decodeEvent,
  type DispatchRequestedV1,
  MessageAcceptedV1,
  type StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  TOPICS,
} from '@sms/contracts';
import type { NoRouteBacklog } from './no-route-backlog';
import type { RoutingEngine } from './routing-engine';
import type { RoutingMetrics } from './routing-metrics';

/**
 * Routes each accepted message and publishes the dispatch, keyed by sender number. A message no
 * provider can take now waits in the backlog (still `queued`); a message that breaks a compliance
 * rule that no retry can fix (blocked country, non-compliant `from`) is failed with the rule's code.
 */
export class RouterConsumer {
  private readonly logger = new Logger('router');
  private timer: NodeJS.Timeout | null = null;
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
    await this.routeAndPublish(message, record.headers);
  };

  /** Re-routes backlog messages as they fall due. */
  start(intervalMs: number): void {
    this.timer ??= setInterval(() => {
      this.draining ??= this.drainBacklog().finally(() => {
        this.draining = null;
      });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.draining;
  }

  async drainBacklog(): Promise<void> {
    for (const message of this.backlog.takeDue()) {
      try {
        await this.routeAndPublish(message, undefined);
      } catch (error) {
        this.logger.warn(`backlog retry of ${message.messageId} failed: ${String(error)}`);
        this.backlog.hold(message);
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
      await this.bus.publish([
        { topic: TOPICS.status, key: message.messageId, value: this.fallbackEnd(message, fallbackError, this.now()) },
      ]);

      return;
    }
    if (outcome.kind === 'no-route') {
      metrics.noRoute.inc({ country: message.country });
      if (!this.backlog.hold(message)) {
        this.logger.warn(`no-route backlog full; ${message.messageId} waits for the stale-message sweep`);
      }

      return;
    }
    this.backlog.release(message);
    const at = this.now();
    if (outcome.kind === 'refused') {
      await this.bus.publish([
        { topic: TOPICS.status, key: message.messageId, value: this.refusal(message, outcome, at) },
      ]);

      return;
    }
    const dispatch: DispatchRequestedV1 = {
      messageId: message.messageId,
      attempt: message.attempt,
      provider: outcome.providerId,
      from: outcome.sender,
      to: message.to,
      body: message.body,
      encoding: message.encoding,
      segments: message.segments,
      validitySeconds: message.validitySeconds,
      price: outcome.price,
      currency: outcome.currency,
      routeReason: outcome.reason.slice(0, 512),
      routedAt: at.toISOString(),
      sendAt: outcome.delayMs > 0 ? new Date(at.getTime() + outcome.delayMs).toISOString() : null,
    };
    await this.bus.publish([{ topic: TOPICS.dispatch, key: outcome.sender, value: dispatch, headers }]);
  }

  private fallbackEnd(message: MessageAcceptedV1, errorCode: string, at: Date): StatusChangedV1 {
    const reason = `no provider other than ${message.avoidProviders.join(', ')} can take the fallback for ${message.country}`;

    return {
      eventId: randomUUID(),
      messageId: message.messageId,
      kind: StatusEventKind.Undelivered,
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
      detail: `${reason}: the receipt's failure stands`,
      occurredAt: at.toISOString(),
    };
  }

  private refusal(message: MessageAcceptedV1, outcome: { code: string; reason: string }, at: Date): StatusChangedV1 {
    return {
      eventId: randomUUID(),
      messageId: message.messageId,
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
