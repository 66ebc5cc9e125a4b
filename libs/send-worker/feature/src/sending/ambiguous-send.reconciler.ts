import { Logger } from '@nestjs/common';
import type { DispatchRequestedV1, StatusChangedV1 } from '@sms/contracts';
import { ErrorClass, type LookupResult, ProviderError } from '@sms/provider-port';
import type { ProviderRegistry } from '@sms/providers';
import { LessThan, type Repository } from 'typeorm';
import type { SendAttemptEntity } from '../database/entities/send-attempt.entity';
import { failureEvent, sentEvent } from './send-outcome';

/** What to do with an attempt whose predecessors may have reached the provider. */
export type BeforeSend =
  /** Nothing earlier is ambiguous, or the provider says it never got the message: call it. */
  | { readonly action: 'send'; readonly lookedUp: boolean }
  /** Publish this instead of calling the provider (it has the message, or we cannot tell). */
  | { readonly action: 'publish'; readonly event: StatusChangedV1 };

/**
 * An earlier attempt of a message timed out after the request left (or its worker died mid-call): the
 * provider may have the message. Before the next attempt calls it, ask it (ProviderLookup); send again only on
 * a clear "not found". Found: the attempt reports `sent` with the provider's id, so the receipts that come
 * (or were parked for want of that id) match it. Cannot tell: the attempt is reported ambiguous again, so
 * intake backs off and the next attempt asks again; when attempts run out, intake ends it `unknown`.
 */
export class AmbiguousSendReconciler {
  private readonly logger = new Logger('send-worker');

  constructor(
    private readonly attempts: Repository<SendAttemptEntity>,
    private readonly providers: ProviderRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async beforeSend(dispatch: DispatchRequestedV1): Promise<BeforeSend> {
    const since = await this.ambiguousSince(dispatch);
    if (since === null || !this.providers.has(dispatch.provider)) {
      return { action: 'send', lookedUp: false };
    }
    const result = await this.lookup(dispatch, since);
    const at = this.now();
    switch (result.outcome) {
      case 'not_found':
        return { action: 'send', lookedUp: true };
      case 'found': {
        this.logger.log(
          `message ${dispatch.messageId} attempt ${dispatch.attempt}: the provider has it (${result.providerStatus}); not resent`,
        );
        const event = sentEvent(
          dispatch,
          { providerMessageId: result.providerMessageId, status: result.status, partIds: result.partIds },
          at,
        );

        return {
          action: 'publish',
          event: { ...event, detail: `reconciled after an ambiguous send: ${result.providerStatus}`.slice(0, 512) },
        };
      }
      case 'unknown':
        this.logger.warn(
          `message ${dispatch.messageId} attempt ${dispatch.attempt}: earlier send unresolved (${result.reason}); not resent`,
        );

        return {
          action: 'publish',
          event: failureEvent(
            dispatch,
            new ProviderError(
              ErrorClass.Transient,
              'AMBIGUOUS_UNRESOLVED',
              `an earlier attempt may have reached the provider and it could not say: ${result.reason}`,
              true,
            ),
            at,
          ),
        };
    }
  }

  /**
   * The start of the run of ambiguous attempts right before this one (the lookup window opens there), or null
   * when the attempt before it was not ambiguous: a clean outcome already settled everything earlier.
   */
  private async ambiguousSince(dispatch: DispatchRequestedV1): Promise<Date | null> {
    if (dispatch.attempt <= 1) {
      return null;
    }
    const earlier = await this.attempts.find({
      where: { messageId: dispatch.messageId, attempt: LessThan(dispatch.attempt) },
      order: { attempt: 'DESC' },
    });
    let since: Date | null = null;
    for (const row of earlier) {
      if (!wasAmbiguous(row)) {
        break;
      }
      since = row.createdAt;
    }

    return since;
  }

  private lookup(dispatch: DispatchRequestedV1, since: Date): Promise<LookupResult> {
    return this.providers
      .get(dispatch.provider)
      .lookup({
        messageId: dispatch.messageId,
        to: dispatch.to,
        from: dispatch.from,
        body: dispatch.body,
        notBefore: since,
        notAfter: this.now(),
      })
      .catch((error: unknown) => ({
        outcome: 'unknown' as const,
        reason: `lookup threw: ${error instanceof Error ? error.name : 'error'}`,
      }));
  }
}

/** Left `sending` (its worker died mid-call), or its published outcome says the provider may have it. */
function wasAmbiguous(row: SendAttemptEntity): boolean {
  if (row.state === 'sending') {
    return true;
  }
  try {
    return (JSON.parse(row.outcome ?? '{}') as { ambiguous?: unknown }).ambiguous === true;
  } catch {
    return false;
  }
}
