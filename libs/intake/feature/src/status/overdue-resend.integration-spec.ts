/**
 * Re-send on an overdue receipt (docs/reconciliation.md) in the ledger, on a real MariaDB with the intake
 * migrations (the distributed mode's store): which reconciliation answers re-open a message for one attempt
 * through another provider, and that the replaced attempt's late outcomes never move the message backwards.
 */
import { randomUUID } from 'node:crypto';
import { MessageClass, type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { type OpenSlice } from '@sms/testing-slices';
import type { DataSource } from 'typeorm';
import { seedMessage, statusEvent as event } from '../../test/intake-messages';
import { INTAKE_MARIADB } from '../../test/intake-engines';
import { LedgerWriter } from '../ledger/ledger.writer';
import { StatusApplier } from './status-applier.service';

jest.setTimeout(60_000);

const POLICY = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 60_000 } as const;
const ENABLED = { ...POLICY, resendOnReceiptTimeout: [MessageClass.Transactional] };

interface LedgerRow {
  status: string;
  attempt: number;
  provider: string | null;
  provider_message_id: string | null;
  cost: string | null;
  error_code: string | null;
  avoid_providers: string | null;
  dlr_fallbacks: number;
  next_retry_at: Date | null;
}

let slice: OpenSlice;
let dataSource: DataSource;
let writer: LedgerWriter;

beforeAll(async () => {
  // The distributed mode's store: what is tested here is MariaDB's locking and statement shapes.
  slice = await INTAKE_MARIADB.open();
  dataSource = slice.dataSource;
  writer = new LedgerWriter(dataSource);
});

afterAll(async () => {
  await writer?.drain();
  await slice?.close();
});

const newMessage = (messageClass: MessageClass = MessageClass.Transactional): Promise<string> =>
  seedMessage(writer, { request: { messageClass } });

/** Reconciliation's answer for attempt 1 through Twilio: overdue, the provider holds it in flight. */
const overdue = (messageId: string, overrides: Partial<StatusChangedV1> = {}): StatusChangedV1 =>
  event(messageId, StatusEventKind.Unknown, {
    source: StatusEventSource.Reconcile,
    providerMessageId: 'SM-first',
    errorCode: 'RECEIPT_TIMEOUT',
    detail: 'reconciliation: found',
    fallbackEligible: true,
    ...overrides,
  });

async function ledger(id: string): Promise<LedgerRow> {
  const [row] = await dataSource.query<LedgerRow[]>('SELECT * FROM sms_messages WHERE id = ?', [id]);
  if (!row) {
    throw new Error(`no ledger row ${id}`);
  }

  return row;
}

async function sentThroughTwilio(applier: StatusApplier, id: string): Promise<void> {
  await applier.apply(
    event(id, StatusEventKind.Sent, { providerMessageId: 'SM-first', cost: '0.0400', currency: 'USD' }),
  );
}

describe('re-send on an overdue receipt', () => {
  it('re-opens an overdue transactional message once for another provider, each attempt with its cost', async () => {
    const applier = new StatusApplier(dataSource, ENABLED);
    const id = await newMessage();
    await sentThroughTwilio(applier, id);

    expect(await applier.apply(overdue(id))).toBe('applied');
    expect(await ledger(id)).toMatchObject({
      status: 'sent',
      attempt: 2,
      avoid_providers: 'twilio',
      dlr_fallbacks: 1,
      error_code: 'RECEIPT_TIMEOUT',
    });
    expect((await ledger(id)).next_retry_at).not.toBeNull();

    // The re-send through Vonage is adopted, then its receipt ends the message.
    await applier.apply(
      event(id, StatusEventKind.Sent, {
        attempt: 2,
        provider: 'vonage',
        providerMessageId: 'V-second',
        cost: '0.0420',
        currency: 'USD',
      }),
    );
    expect(await ledger(id)).toMatchObject({ status: 'sent', provider: 'vonage', provider_message_id: 'V-second' });
    const sentCosts = await dataSource.query<{ attempt: number; provider: string; cost: string }[]>(
      "SELECT attempt, provider, cost FROM message_events WHERE message_id = ? AND status = 'sent' ORDER BY id",
      [id],
    );
    expect(sentCosts.map((row) => [Number(row.attempt), row.provider, Number(row.cost)])).toEqual([
      [1, 'twilio', 0.04],
      [2, 'vonage', 0.042],
    ]);

    // A second overdue answer (the re-send's, or a redelivered one) never re-sends again.
    expect(await applier.apply(overdue(id, { attempt: 2, provider: 'vonage', providerMessageId: 'V-second' }))).toBe(
      'applied',
    );
    expect(await ledger(id)).toMatchObject({ status: 'unknown', attempt: 2, dlr_fallbacks: 1 });
  });

  it('lets a late failure of the replaced attempt change nothing, and never moves a final status back', async () => {
    const applier = new StatusApplier(dataSource, ENABLED);
    const id = await newMessage();
    await sentThroughTwilio(applier, id);
    await applier.apply(overdue(id));
    await applier.apply(event(id, StatusEventKind.Sent, { attempt: 2, provider: 'vonage', providerMessageId: 'V2' }));

    // Twilio's receipt for attempt 1 arrives at last, a failure: recorded, the message still waits for Vonage.
    const lateFailure = event(id, StatusEventKind.Undelivered, {
      source: StatusEventSource.Dlr,
      providerMessageId: 'SM-first',
      errorCode: '30003',
      errorClass: 'transient',
    });
    expect(await applier.apply(lateFailure)).toBe('recorded');
    expect(await ledger(id)).toMatchObject({ status: 'sent', provider: 'vonage' });

    await applier.apply(
      event(id, StatusEventKind.Delivered, {
        source: StatusEventSource.Dlr,
        provider: 'vonage',
        providerMessageId: 'V2',
      }),
    );
    expect(await ledger(id)).toMatchObject({ status: 'delivered', provider: 'vonage' });

    // Another late report of attempt 1 after the final status: forward-only, nothing moves.
    expect(
      await applier.apply({ ...lateFailure, eventId: randomUUID(), kind: StatusEventKind.Failed, errorCode: '30005' }),
    ).toBe('recorded');
    expect(await ledger(id)).toMatchObject({ status: 'delivered' });
  });

  it('ends a replaced attempt delivered when its late receipt says so: the text arrived', async () => {
    const applier = new StatusApplier(dataSource, ENABLED);
    const id = await newMessage();
    await sentThroughTwilio(applier, id);
    await applier.apply(overdue(id));
    await applier.apply(event(id, StatusEventKind.Sent, { attempt: 2, provider: 'vonage', providerMessageId: 'V3' }));

    await applier.apply(
      event(id, StatusEventKind.Delivered, { source: StatusEventSource.Dlr, providerMessageId: 'SM-first' }),
    );

    expect(await ledger(id)).toMatchObject({ status: 'delivered' });
  });

  it('does not re-send when the operator did not enable it', async () => {
    const applier = new StatusApplier(dataSource, POLICY);
    const id = await newMessage();
    await sentThroughTwilio(applier, id);

    await applier.apply(overdue(id));

    expect(await ledger(id)).toMatchObject({ status: 'unknown', attempt: 1, dlr_fallbacks: 0 });
  });

  it('does not re-send a message class the operator did not enable', async () => {
    const applier = new StatusApplier(dataSource, ENABLED);
    const id = await newMessage(MessageClass.Marketing);
    await sentThroughTwilio(applier, id);

    await applier.apply(overdue(id));

    expect(await ledger(id)).toMatchObject({ status: 'unknown', attempt: 1, dlr_fallbacks: 0 });
  });

  it('does not re-send a message whose send was ambiguous (its provider pinned)', async () => {
    const applier = new StatusApplier(dataSource, ENABLED);
    const id = await newMessage();
    // Attempt 1 timed out after the request left: attempt 2 is pinned to Twilio and finds the message there.
    await applier.apply(
      event(id, StatusEventKind.Retry, {
        errorCode: 'TIMEOUT',
        errorClass: 'transient',
        ambiguous: true,
      }),
    );
    await applier.apply(event(id, StatusEventKind.Sent, { attempt: 2, providerMessageId: 'SM-first' }));

    await applier.apply(overdue(id, { attempt: 2 }));

    expect(await ledger(id)).toMatchObject({ status: 'unknown', attempt: 2, dlr_fallbacks: 0 });
  });

  it('does not re-send on an answer reconciliation did not mark (no id, not found, unknown)', async () => {
    const applier = new StatusApplier(dataSource, ENABLED);
    const id = await newMessage();
    await sentThroughTwilio(applier, id);

    await applier.apply(overdue(id, { fallbackEligible: null, detail: 'reconciliation: not_found' }));

    expect(await ledger(id)).toMatchObject({ status: 'unknown', attempt: 1, dlr_fallbacks: 0 });
  });
});
