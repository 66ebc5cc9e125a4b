import { metrics } from '@sms/metrics';
import { randomUUID } from 'node:crypto';
import type { Bus, ConsumedRecord } from '@sms/bus';
import {
  decodeEvent,
  type DispatchRequestedV1,
  MessageAcceptedV1,
  type StatusChangedV1,
  StatusEventKind,
  StatusEventSource,
  TOPICS,
} from '@sms/contracts';
import type { DataSource } from 'typeorm';
import { RouteDecider } from './route-decider';
import { loadRouteSnapshot, type RouteSnapshot, SNAPSHOT_TTL_MS } from './route-snapshot';

/** Routes each accepted message and publishes the dispatch, keyed by sender number. */
export class RouterConsumer {
  private readonly decider = new RouteDecider();
  private snapshot: RouteSnapshot | null = null;
  /** Single flight: concurrent cache misses share one load. */
  private loading: Promise<RouteSnapshot> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: Bus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    const message = decodeEvent(MessageAcceptedV1, record.value);
    const decision = this.decider.decide(message, await this.currentSnapshot());
    const at = this.now().toISOString();
    if (decision.kind === 'no-route') {
      metrics.noRoute.inc({ country: message.country });
      const event: StatusChangedV1 = {
        eventId: randomUUID(),
        messageId: message.messageId,
        kind: StatusEventKind.Retry,
        source: StatusEventSource.Router,
        attempt: message.attempt,
        provider: null,
        providerMessageId: null,
        errorCode: decision.code,
        errorMessage: decision.reason,
        errorClass: 'transient',
        ambiguous: false,
        cost: null,
        currency: null,
        detail: decision.reason,
        occurredAt: at,
      };
      await this.bus.publish([{ topic: TOPICS.status, key: message.messageId, value: event }]);

      return;
    }
    const dispatch: DispatchRequestedV1 = {
      messageId: message.messageId,
      attempt: message.attempt,
      provider: decision.providerId,
      from: decision.sender,
      to: message.to,
      body: message.body,
      encoding: message.encoding,
      segments: message.segments,
      validitySeconds: message.validitySeconds,
      price: decision.price,
      currency: decision.currency,
      routeReason: decision.reason.slice(0, 512),
      routedAt: at,
    };
    await this.bus.publish([
      { topic: TOPICS.dispatch, key: decision.sender, value: dispatch, headers: record.headers },
    ]);
  };

  /** Drops the cached pool (operator changes). */
  invalidate(): void {
    this.snapshot = null;
  }

  private async currentSnapshot(): Promise<RouteSnapshot> {
    if (this.snapshot && Date.now() - this.snapshot.loadedAt < SNAPSHOT_TTL_MS) {
      return this.snapshot;
    }
    this.loading ??= loadRouteSnapshot(this.dataSource)
      .then((snapshot) => {
        this.snapshot = snapshot;

        return snapshot;
      })
      .finally(() => {
        this.loading = null;
      });

    return this.loading;
  }
}
