import type { CallbackFormat } from '@sms/contracts';
import type { MaskDirectory } from '@sms/mask-directory';
import type { OptOutChecker } from '@sms/opt-out-registry';
import { parsePhone } from '@sms/phone';
import { type OutboundPolicy, STRICT_OUTBOUND_POLICY, unprocessable } from '@sms/platform';
import { v7 as uuidv7 } from 'uuid';
import type { DataSource } from 'typeorm';
import {
  conflict,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyService,
  type StoredResponse,
} from '../idempotency/idempotency.service';
import { SmsMessageEntity } from '../database/entities/sms-message.entity';
import { DuplicateMessageError, type LedgerWriter, type NewMessage } from '../ledger/ledger.writer';
import { chargesOf } from '../billing/charge-views';
import { eventsOf, findMessageById } from '../ledger/message-lookup';
import type { Admission, AdmissionTicket } from '../limits/admission';
import type { AcceptedMessageView, MessageView } from './message.views';
import { toAcceptedView, toMessageView } from './message.views';
import { validateMessageRequest, type ValidatedMessage } from './message-request.validator';
import { withSmartEncoding } from './smart-encoding';
import type { RegionGate } from '../regions/region-gate';

/**
 * The ledger write of an accepted send (single or batch item), with its idempotency record when the request
 * named a key: the first response is stored in the same transaction, so a replay after a crash finds it.
 */
export function acceptedWrite(
  id: string,
  message: ValidatedMessage,
  caller: { readonly keyId: string; readonly accountId: string },
  createdAt: Date,
  claim: { readonly scopeKey: string; readonly fingerprint: string } | null,
  response: StoredResponse,
): NewMessage {
  return {
    id,
    message,
    apiKeyId: caller.keyId,
    accountId: caller.accountId,
    createdAt,
    // Every caller of acceptedWrite made `id` with uuidv7() just before.
    idMadeHere: true,
    idempotency: claim
      ? {
          scopeKey: claim.scopeKey,
          fingerprint: claim.fingerprint,
          response: JSON.stringify(response),
          expiresAt: new Date(createdAt.getTime() + IDEMPOTENCY_TTL_MS),
        }
      : undefined,
  };
}

export interface AcceptOutcome {
  readonly response: StoredResponse;
  /** True when the response is the stored first response to the same Idempotency-Key. */
  readonly replayed: boolean;
}

/** Accepts send requests into the ledger and reads messages back. */
export class MessagesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: LedgerWriter,
    private readonly idempotency: IdempotencyService,
    private readonly optOuts: OptOutChecker,
    private readonly masks: MaskDirectory,
    private readonly now: () => Date = () => new Date(),
    /** The outbound address policy callbackUrl is checked against (CALLBACK_ALLOWED_PORTS, ...). */
    private readonly callbackPolicy: OutboundPolicy = STRICT_OUTBOUND_POLICY,
    /** Account limits, permissions and the pumping guard (docs/limits.md); absent in bare compositions. */
    private readonly admission?: Admission,
    /** The account's smart-encoding default (AccountService, cached); absent: off. */
    private readonly smartEncodingDefault: (accountId: string) => Promise<boolean> = async () => false,
    /** This deployment's region (docs/regions.md): the ids it mints, the messages it may write. */
    private readonly regions: RegionGate | null = null,
  ) {}

  /** A new message's id: UUIDv7, carrying this region's code when regions are on. */
  newId(): string {
    return this.regions?.newId() ?? uuidv7();
  }

  /** Refuses (421 REGION_MISMATCH) a message another region owns: it must not be written here. */
  async assertHomeRegion(accountId: string, message: ValidatedMessage): Promise<void> {
    await this.regions?.assertHome(accountId, message.country);
  }

  /** api.md's request rules, REST and `sms.send.v1` alike, with this process's callback policy. */
  validate(input: unknown): ValidatedMessage {
    return validateMessageRequest(input, [], this.callbackPolicy, this.now());
  }

  /**
   * Rules that depend on state rather than on the request alone: a masked destination is resolved to
   * the real one, then opted-out recipients are refused. Both lookups are in-process replicas of
   * compacted topics (`sms.mask.v1`, `sms.optout.v1`): no SQL and no network round trip on the hot path.
   */
  async resolveAndCheck(message: ValidatedMessage, accountId: string, id?: string): Promise<ValidatedMessage> {
    const resolved = this.resolveMasked(message, accountId);
    if (await this.optOuts.isOptedOut({ recipient: resolved.to, sender: resolved.from, accountId, messageId: id })) {
      throw unprocessable('RECIPIENT_OPTED_OUT', 'The recipient opted out of messages from this sender', 'to');
    }

    return this.smartEncoded(resolved, accountId);
  }

  /** The body as it will be sent: smart-encoded when the request, or else the account's default, says so. */
  async smartEncoded(message: ValidatedMessage, accountId: string): Promise<ValidatedMessage> {
    const accountDefault = message.smartEncoding === undefined ? await this.smartEncodingDefault(accountId) : false;

    return withSmartEncoding(message, accountDefault);
  }

  /** A masked destination resolved to the real one (throws MASKED_DESTINATION_UNRESOLVED). */
  resolveMasked(message: ValidatedMessage, accountId: string): ValidatedMessage {
    const resolution = this.masks.resolve(message.to, message.from, accountId);
    switch (resolution.kind) {
      case 'not-masked':
        return message;
      case 'unresolved':
        throw unprocessable('MASKED_DESTINATION_UNRESOLVED', `to is a masked number: ${resolution.reason}`, 'to');
      case 'resolved': {
        const destination = parsePhone(resolution.to);

        return {
          ...message,
          to: resolution.to,
          from: resolution.from,
          country: destination.ok ? destination.country : message.country,
        };
      }
    }
  }

  /**
   * Idempotency keys are scoped per API key (`<key id>:<Idempotency-Key>`): a key id is a UUID and a key
   * never changes account, so no two accounts, nor two keys of one account, can share a stored response.
   */
  async accept(
    body: unknown,
    caller: { readonly keyId: string; readonly accountId: string },
    idempotencyKey: string | undefined,
    /** The callbacks' format when not the gateway's JSON (the Twilio-compatible API's StatusCallback). */
    callbackFormat: CallbackFormat | null = null,
  ): Promise<AcceptOutcome> {
    const claim =
      idempotencyKey === undefined ? null : await this.idempotency.claim(caller.keyId, idempotencyKey, body);
    if (claim?.kind === 'replay') {
      return { response: claim.response, replayed: true };
    }
    let ticket: AdmissionTicket | null = null;
    try {
      const validated = this.validate(body);
      const message = await this.resolveAndCheck(
        callbackFormat && validated.callbackUrl !== null ? { ...validated, callbackFormat } : validated,
        caller.accountId,
      );
      await this.assertHomeRegion(caller.accountId, message);
      const id = this.newId();
      ticket =
        (await this.admission?.admit(
          { accountId: caller.accountId, keyId: caller.keyId, messageId: id, message },
          'rest',
        )) ?? null;
      const createdAt = this.now();
      const response: StoredResponse = { status: 202, body: toAcceptedView(id, message, createdAt) };
      await this.writer.write(acceptedWrite(id, message, caller, createdAt, claim, response));
      // Written: its quota stays spent whatever happens next.
      ticket = null;
      if (claim) {
        await this.idempotency.complete(claim.scopeKey, claim.fingerprint, response);
      }

      return { response, replayed: false };
    } catch (error) {
      // Not written: what admission counted for it is given back (a refused request consumes no quota).
      await this.admission?.release(ticket);
      if (claim) {
        await this.idempotency.release(claim.scopeKey).catch(() => undefined);
        if (error instanceof DuplicateMessageError) {
          // Another request stored a response for this key first (its in-flight marker had expired).
          throw conflict();
        }
      }
      throw error;
    }
  }

  /**
   * Admits and writes a validated `sms.send.v1` request under the producer's id, in the record's account.
   * A refusal throws its ApiError (answered on `sms.status.v1`); a repeat of an id already written throws
   * DuplicateMessageError and consumes nothing.
   */
  async acceptFromTopic(id: string, message: ValidatedMessage, accountId: string): Promise<AcceptedMessageView> {
    const ticket = (await this.admission?.admit({ accountId, keyId: null, messageId: id, message }, 'topic')) ?? null;
    const createdAt = this.now();
    try {
      await this.writer.write({ id, message, apiKeyId: null, accountId, createdAt });
    } catch (error) {
      await this.admission?.release(ticket);
      throw error;
    }

    return toAcceptedView(id, message, createdAt);
  }

  async exists(id: string): Promise<boolean> {
    return this.dataSource.getRepository(SmsMessageEntity).exists({ where: { id } });
  }

  /** The message, only if it belongs to `accountId`: another account's message is as absent as a missing one. */
  async find(id: string, accountId: string): Promise<MessageView | null> {
    const message = await findMessageById(this.dataSource, id, accountId);
    if (!message) {
      return null;
    }

    const charges = await chargesOf(this.dataSource, [message.id]);

    return toMessageView(message, await eventsOf(this.dataSource, message), charges.get(message.id));
  }
}
