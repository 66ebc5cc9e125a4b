import { MessageStatus } from '@sms/contracts';
import type { SendGate } from '@sms/counters';
import { inTransaction } from '@sms/persistence';
import { ApiError } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { applyOwnChange, type ChangedRow } from './own-change';

interface CancelRow extends ChangedRow {
  pin_provider: string | null;
}

/** A change of state between our read and our write is retried this many times before answering 409. */
const MAX_TRIES = 3;

const withProvider = (): ApiError =>
  new ApiError(409, 'MESSAGE_WITH_PROVIDER', 'The message is already with the provider and cannot be cancelled');

/**
 * `POST /v1/messages/:id/cancel`: ends a `scheduled` or `queued` message `cancelled` when no provider has it.
 *
 * A scheduled message is only in the ledger: one UPDATE conditional on `status = 'scheduled'` wins against
 * the release job (whichever commits first; the other changes nothing). A queued message may be anywhere
 * between intake and the provider (the router, its backlog, a send-worker's rate wait), and those share no
 * database with intake: the SendGate decides. Its mark on the ledger's current attempt is set by exactly one
 * of the cancel and the send-worker's last check before the provider call; the ledger is then changed only
 * while it still holds that attempt `queued`, so a cancel never reports success for a send that happened.
 */
export class MessageCanceller {
  constructor(
    private readonly dataSource: DataSource,
    private readonly gate: SendGate,
    /** Told of each message cancelled (its booked spend is given back). */
    private readonly onCancelled: (messageId: string) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Cancels the message of `accountId`, or throws: 404 when the account has no such message (another
   * account's is 404 too), 409 when it is already cancelled, with a provider, or ended otherwise.
   */
  async cancel(id: string, accountId: string): Promise<void> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const rows: CancelRow[] = await this.dataSource.query(
        'SELECT id, account_id, status, attempt, callback_url, client_reference, pin_provider FROM sms_messages WHERE id = ? AND account_id = ?',
        [id, accountId],
      );
      const row = rows[0];
      if (!row) {
        throw new ApiError(404, 'NOT_FOUND', 'Message not found');
      }
      if (await this.tryCancel(row)) {
        this.onCancelled(id);

        return;
      }
    }
    // The message kept moving under us: it is on its way, the caller may ask again.
    throw withProvider();
  }

  /** True when this call cancelled the message; false when it moved meanwhile (read it again). */
  private async tryCancel(row: CancelRow): Promise<boolean> {
    switch (row.status) {
      case MessageStatus.Scheduled:
        return this.cancelIn(row, 'status = ?', [MessageStatus.Scheduled]);
      case MessageStatus.Queued: {
        if (row.pin_provider !== null) {
          // An earlier attempt timed out at this provider and may have reached it: it may already be sent.
          throw withProvider();
        }
        const attempt = Number(row.attempt);
        // 'already-cancelled': an earlier cancel marked this attempt and then lost its ledger write (the
        // message moved); the attempt is blocked all the same, so the ledger may follow now.
        if ((await this.gate.cancel(row.id, attempt)) === 'with-provider') {
          throw withProvider();
        }

        return this.cancelIn(row, 'status = ? AND attempt = ?', [MessageStatus.Queued, attempt]);
      }
      case MessageStatus.Cancelled:
        throw new ApiError(409, 'MESSAGE_ALREADY_CANCELLED', 'The message is already cancelled');
      case MessageStatus.Failed:
      case MessageStatus.Expired:
        throw new ApiError(409, 'MESSAGE_FINAL', `The message already ended ${row.status} and cannot be cancelled`);
      case MessageStatus.Sending:
      case MessageStatus.Sent:
      case MessageStatus.Delivered:
      case MessageStatus.Undelivered:
      case MessageStatus.Unknown:
        throw withProvider();
    }
  }

  private cancelIn(row: CancelRow, condition: string, params: unknown[]): Promise<boolean> {
    const now = this.now();

    return inTransaction(this.dataSource, (manager) =>
      applyOwnChange(
        this.dataSource,
        manager,
        row,
        { to: MessageStatus.Cancelled, errorCode: null, detail: 'cancelled by the caller', condition, params },
        now,
      ),
    );
  }
}
