import { ApiError } from '@sms/platform';
import {
  conflict,
  type IdempotencyClaim,
  type IdempotencyService,
  type StoredResponse,
} from '../idempotency/idempotency.service';
import { DuplicateMessageError, type LedgerWriter, type NewMessage } from '../ledger/ledger.writer';
import type { Admission, AdmissionTicket } from '../limits/admission';
import { parseBatchRequest } from './batch-request';
import { toAcceptedView } from './message.views';
import { acceptedWrite, type MessagesService } from './messages.service';

/** One item's outcome, in the batch's order: what a single POST with that body would have answered. */
export type BatchResult =
  | { readonly index: number; readonly status: number; readonly replayed?: true; readonly message: unknown }
  | {
      readonly index: number;
      readonly status: number;
      readonly error: { readonly code: string; readonly message: string; readonly field?: string };
    };

export interface BatchView {
  readonly accepted: number;
  readonly refused: number;
  readonly results: BatchResult[];
}

type Claimed = Extract<IdempotencyClaim, { kind: 'claimed' }>;

interface Pending {
  readonly index: number;
  readonly write: NewMessage;
  readonly response: StoredResponse;
  readonly ticket: AdmissionTicket | null;
  readonly claim: Claimed | null;
}

/**
 * `POST /v1/messages/batch`: each item goes through exactly the single send's steps (idempotency claim,
 * validation, mask and opt-out, smart encoding, admission against the account's and key's quotas, in the
 * batch's order), and the accepted ones are written in one transaction: all of them or, if the write fails,
 * none (the whole request then fails and every quota and key it took is given back).
 */
export class BatchService {
  constructor(
    private readonly messages: MessagesService,
    private readonly writer: LedgerWriter,
    private readonly idempotency: IdempotencyService,
    private readonly admission?: Admission,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async accept(body: unknown, caller: { readonly keyId: string; readonly accountId: string }): Promise<BatchView> {
    const items = parseBatchRequest(body);
    const results: (BatchResult | null)[] = items.map(() => null);
    const pending: Pending[] = [];
    const createdAt = this.now();
    try {
      for (const [index, item] of items.entries()) {
        if (item.kind === 'refused') {
          results[index] = refusedResult(index, item.error);
          continue;
        }
        const outcome = await this.admitItem(index, item.request, item.idempotencyKey, caller, createdAt);
        if ('write' in outcome) {
          pending.push(outcome);
        } else {
          results[index] = outcome;
        }
      }
      await this.writer.writeAll(pending.map((p) => p.write));
    } catch (error) {
      await this.giveBack(pending);
      throw error instanceof DuplicateMessageError ? conflict() : error;
    }
    for (const item of pending) {
      results[item.index] = { index: item.index, status: item.response.status, message: item.response.body };
      if (item.claim) {
        await this.idempotency
          .complete(item.claim.scopeKey, item.claim.fingerprint, item.response)
          // The durable copy was written with the message; the cache refills from it on the next lookup.
          .catch(() => undefined);
      }
    }
    const done = results.filter((r): r is BatchResult => r !== null);

    return {
      accepted: pending.length,
      refused: done.filter((r) => 'error' in r).length,
      results: done,
    };
  }

  /** One item through the single send's steps: a Pending write, or its result (refusal or replay). */
  private async admitItem(
    index: number,
    request: Record<string, unknown>,
    idempotencyKey: string | null,
    caller: { readonly keyId: string; readonly accountId: string },
    createdAt: Date,
  ): Promise<Pending | BatchResult> {
    let claim: Claimed | null = null;
    let ticket: AdmissionTicket | null = null;
    try {
      if (idempotencyKey !== null) {
        const claimed = await this.idempotency.claim(caller.keyId, idempotencyKey, request);
        if (claimed.kind === 'replay') {
          return { index, status: claimed.response.status, replayed: true, message: claimed.response.body };
        }
        claim = claimed;
      }
      const message = await this.messages.resolveAndCheck(this.messages.validate(request), caller.accountId);
      // A batch is written in one transaction in one region: an item of another region is refused, not moved.
      await this.messages.assertHomeRegion(caller.accountId, message);
      const id = this.messages.newId();
      ticket =
        (await this.admission?.admit(
          { accountId: caller.accountId, keyId: caller.keyId, messageId: id, message },
          'rest',
        )) ?? null;
      const response: StoredResponse = { status: 202, body: toAcceptedView(id, message, createdAt) };

      return {
        index,
        response,
        ticket,
        claim,
        write: acceptedWrite(id, message, caller, createdAt, claim, response),
      };
    } catch (error) {
      await this.admission?.release(ticket);
      if (claim) {
        await this.idempotency.release(claim.scopeKey).catch(() => undefined);
      }
      if (error instanceof ApiError) {
        return refusedResult(index, error);
      }
      throw error;
    }
  }

  /** Nothing was written: every quota and idempotency key the accepted items took is free again. */
  private async giveBack(pending: readonly Pending[]): Promise<void> {
    for (const item of pending) {
      await this.admission?.release(item.ticket);
      if (item.claim) {
        await this.idempotency.release(item.claim.scopeKey).catch(() => undefined);
      }
    }
  }
}

function refusedResult(index: number, error: ApiError): BatchResult {
  return { index, status: error.status, ...error.toBody() };
}
