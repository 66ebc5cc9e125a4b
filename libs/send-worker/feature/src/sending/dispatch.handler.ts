import { setMaxListeners } from 'node:events';
import { metrics } from '@sms/metrics';
import { Logger } from '@nestjs/common';
import { abortableSleep, type Bus, type ConsumedRecord, HandlerStoppedError } from '@sms/bus';
import {
  decodeEvent,
  DEFAULT_ACCOUNT_ID,
  DispatchRequestedV1,
  type StatusChangedV1,
  statusRecords,
} from '@sms/contracts';
import type { SendGate } from '@sms/counters';
import type { OptOutChecker } from '@sms/opt-out-registry';
import { ErrorClass, ProviderError } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';
import type { DataSource, Repository } from 'typeorm';
import { SendAttemptEntity } from '../database/entities/send-attempt.entity';
import { SendAttemptStore } from './send-attempt.store';
import { ambiguousEvent, cancelledEvent, expiredEvent, failureEvent, optedOutEvent, sentEvent } from './send-outcome';
import { AmbiguousSendReconciler } from './ambiguous-send.reconciler';
import { observeProviderCall } from './provider-call.observer';
import { SEND_MAX_IN_FLIGHT, SendSlots } from './send-slots';
import { SenderPacer } from './sender-pacer';

/**
 * Sends one dispatch through its provider, once. The (message, attempt) row is claimed before the
 * call and holds the published outcome after it, so a redelivered dispatch (a rebalance, a crash
 * after the call) republishes the same event instead of sending twice. When an earlier attempt may have
 * reached the provider (timed out, or its worker died), the provider is asked first
 * (AmbiguousSendReconciler): the message is sent again only when the provider says it does not have it.
 */
export class DispatchHandler {
  private readonly logger = new Logger('send-worker');
  private readonly attempts: Repository<SendAttemptEntity>;
  private readonly store: SendAttemptStore;
  private readonly ambiguous: AmbiguousSendReconciler;
  private readonly slots: SendSlots;
  private readonly stopping = new AbortController();
  private readonly pacer = new SenderPacer();
  /** (message, attempt) → its send now running in this process. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    dataSource: DataSource,
    private readonly bus: Bus,
    private readonly providers: ProviderRegistry,
    private readonly statusCallbackBase: string,
    private readonly optOuts: OptOutChecker,
    private readonly now: () => Date = () => new Date(),
    maxInFlight = SEND_MAX_IN_FLIGHT,
    /** Where a cancel and this attempt's provider call meet (see SendGate); none: nothing can be cancelled. */
    private readonly gate: SendGate | null = null,
  ) {
    this.slots = new SendSlots(providers, maxInFlight);
    // Every dispatch waiting for its rate slot listens on this one signal: hundreds at once is the design,
    // not a leak, so Node's listener warning (at 10) is lifted for it.
    setMaxListeners(0, this.stopping.signal);
    this.attempts = dataSource.getRepository(SendAttemptEntity);
    this.store = new SendAttemptStore(dataSource);
    this.ambiguous = new AmbiguousSendReconciler(this.attempts, providers, now);
  }

  /**
   * Dispatches of one sender run concurrently (the subscription's `keyConcurrency`): each waits for its own
   * `sendAt`, so the sender's schedule, not one call at a time, paces its sends, and a slow provider
   * holds up only the calls it is answering. No order among one sender's messages matters beyond that
   * schedule: each dispatch is one whole message (every part of a long one goes in one call), and carriers
   * never promised that two messages arrive in the order they were sent.
   */
  handle = async (record: ConsumedRecord): Promise<void> => {
    const dispatch = decodeEvent(DispatchRequestedV1, record.value);
    // A slot at or past the message's deadline is not waited for: the last check expires it at once.
    if (!this.expiredBy(dispatch, slotOf(dispatch))) {
      await this.waitForRateSlot(dispatch);
    }
    const key = `${dispatch.messageId}\u0000${dispatch.attempt}`;
    // A copy of a dispatch this process is still sending (published twice, now running side by side):
    // it waits for that send, then finds the claim done and republishes its outcome, never reporting the
    // running attempt as one whose worker died.
    for (let earlier = this.inFlight.get(key); earlier; earlier = this.inFlight.get(key)) {
      await earlier.catch(() => undefined);
    }
    const work = this.sendWithinSlots(dispatch);
    this.inFlight.set(key, work);
    try {
      await work;
    } finally {
      if (this.inFlight.get(key) === work) {
        this.inFlight.delete(key);
      }
    }
  };

  /** Attempts being handled now (for a drain check and the tests). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private async sendWithinSlots(dispatch: DispatchRequestedV1): Promise<void> {
    const release = await this.slots.acquire(dispatch.provider, dispatch.segments);
    try {
      await this.sendOnce(dispatch);
    } finally {
      release();
    }
  }

  private async sendOnce(dispatch: DispatchRequestedV1): Promise<void> {
    const claimed = await this.claim(dispatch);
    if (!claimed) {
      await this.republish(dispatch);

      return;
    }
    const started = Date.now();
    const before = await this.ambiguous.beforeSend(dispatch);
    const outcome = before.action === 'publish' ? before.event : await this.send(dispatch);
    const event: StatusChangedV1 = { ...outcome, latencyMs: Date.now() - started };
    await this.store.finish(
      dispatch.messageId,
      dispatch.attempt,
      {
        latencyMs: Date.now() - started,
        providerMessageId: event.providerMessageId ?? null,
        outcome: JSON.stringify(event),
      },
      this.now(),
    );
    await this.publish(event);
  }

  /**
   * The router booked this message a slot on the sender's schedule (its carrier limit in segments per
   * second); sending earlier would break the limit. Waits before the claim, so a redelivered copy
   * meanwhile finds no half-done attempt. Each dispatch waits on its own timer, beside the others of
   * its sender, so the wait holds back nothing but itself; the pacer keeps a late timer from bringing two
   * of the sender's sends closer together than their slots were.
   */
  private async waitForRateSlot(dispatch: DispatchRequestedV1): Promise<void> {
    const waitMs = dispatch.sendAt ? Date.parse(dispatch.sendAt) - Date.now() : 0;
    metrics.rateLimitDelay.observe({ provider: dispatch.provider }, Math.max(0, waitMs) / 1000);
    if (waitMs > 0) {
      await this.sleepUnlessStopping(waitMs);
    }
    if (!dispatch.sendAt) {
      return;
    }
    const slot = Date.parse(dispatch.sendAt);
    for (let delay = this.pacer.delayFor(dispatch.from, slot); delay > 0;) {
      await this.sleepUnlessStopping(delay);
      delay = this.pacer.delayFor(dispatch.from, slot);
    }
    this.pacer.started(dispatch.from, slot);
  }

  /**
   * Shutdown must not sit out a sender's schedule: with many of its dispatches waiting side by side, the
   * last slot can be minutes away. Nothing is claimed yet, so the dispatch is simply left for redelivery.
   */
  private async sleepUnlessStopping(ms: number): Promise<void> {
    if (!(await abortableSleep(ms, this.stopping.signal))) {
      throw new HandlerStoppedError('shutting down before the rate slot');
    }
  }

  /** Dispatches still waiting for their rate slot give up now (shutdown); those already sending finish. */
  stopWaiting(): void {
    this.stopping.abort();
  }

  private claim(dispatch: DispatchRequestedV1): Promise<boolean> {
    return this.store.claim(dispatch.messageId, dispatch.attempt, dispatch.provider, this.now());
  }

  /** The attempt was handled before: publish its recorded outcome again, or report it ambiguous. */
  private async republish(dispatch: DispatchRequestedV1): Promise<void> {
    const row = await this.attempts.findOneByOrFail({ messageId: dispatch.messageId, attempt: dispatch.attempt });
    if (row.state === 'done' && row.outcome) {
      await this.publish(JSON.parse(row.outcome) as StatusChangedV1);

      return;
    }
    this.logger.warn(`message ${dispatch.messageId} attempt ${dispatch.attempt}: earlier worker died mid-send`);
    const event = ambiguousEvent(dispatch, this.now());
    await this.attempts.update(
      { id: row.id },
      { state: 'done', outcome: JSON.stringify(event), updatedAt: this.now() },
    );
    await this.publish(event);
  }

  /** True when the message's deadline is at or before `at` (epoch ms) or now, whichever is later. */
  private expiredBy(dispatch: DispatchRequestedV1, at: number): boolean {
    const expiresAt = dispatch.expiresAt ? Date.parse(dispatch.expiresAt) : Number.NaN;

    return expiresAt <= Math.max(at, this.now().getTime());
  }

  private async send(dispatch: DispatchRequestedV1): Promise<StatusChangedV1> {
    // Checked again right before the call: a STOP that arrived while the message sat in a queue wins.
    const accountId = dispatch.accountId ?? DEFAULT_ACCOUNT_ID;
    if (
      await this.optOuts.isOptedOut({
        recipient: dispatch.to,
        sender: dispatch.from,
        accountId,
        messageId: dispatch.messageId,
      })
    ) {
      return optedOutEvent(dispatch, this.now());
    }
    // A message that can no longer arrive in time is not sent late (its slot came after its validity).
    if (this.expiredBy(dispatch, slotOf(dispatch))) {
      return expiredEvent(dispatch, this.now());
    }
    // The very last step before the call: from here on a cancel of this attempt answers 409.
    if (this.gate !== null && (await this.gate.enter(dispatch.messageId, dispatch.attempt)) === 'cancelled') {
      this.logger.log(`message ${dispatch.messageId} attempt ${dispatch.attempt} was cancelled before sending`);

      return cancelledEvent(dispatch, this.now());
    }
    try {
      if (!this.providers.has(dispatch.provider)) {
        throw new ProviderError(
          ErrorClass.Configuration,
          'PROVIDER_NOT_CONFIGURED',
          `no adapter for '${dispatch.provider}'`,
        );
      }
      const provider = this.providers.get(dispatch.provider);
      const result = await observeProviderCall(dispatch.provider, () =>
        provider.send({
          messageId: dispatch.messageId,
          to: dispatch.to,
          from: dispatch.from,
          body: dispatch.body,
          encoding: dispatch.encoding,
          segments: dispatch.segments,
          validitySeconds: dispatch.validitySeconds ?? undefined,
          statusCallbackUrl: `${this.statusCallbackBase}/webhooks/${encodeURIComponent(dispatch.provider)}/status`,
        }),
      );

      return sentEvent(dispatch, result, this.now());
    } catch (error) {
      const event = failureEvent(dispatch, error, this.now());
      this.logger.warn(
        `message ${dispatch.messageId} attempt ${dispatch.attempt} via ${dispatch.provider}: ${event.errorClass} ${event.errorCode}`,
      );
      if (event.errorClass === ErrorClass.Configuration) {
        // Pages someone: a configuration error will not fix itself by retrying.
        this.logger.error(
          `provider ${dispatch.provider} configuration error ${event.errorCode}: ${event.errorMessage}`,
        );
      }

      return event;
    }
  }

  private async publish(event: StatusChangedV1): Promise<void> {
    await this.bus.publish([...statusRecords(event)]);
  }
}

/** The instant the router booked for the send (epoch ms); 0 when it may go now. */
function slotOf(dispatch: DispatchRequestedV1): number {
  const slot = dispatch.sendAt ? Date.parse(dispatch.sendAt) : 0;

  return Number.isFinite(slot) ? slot : 0;
}
