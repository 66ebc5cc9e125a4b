import { StatusEventKind, StatusEventSource, type StatusChangedV1 } from '@sms/contracts';
import type { SqlRunner } from '@sms/persistence';
import { formatMicros, perPart, toMicros } from './money';

/** What a charge needs of its message, as the status batch read it. */
export interface ChargedMessage {
  readonly accountId: string;
  readonly country: string | null;
  readonly segments: number;
}

/** One attempt's charge as written (message_charges' columns, amounts in micro-units). */
export interface ChargeRow {
  readonly messageId: string;
  readonly attempt: number;
  readonly accountId: string;
  readonly provider: string;
  readonly providerMessageId: string | null;
  readonly sender: string | null;
  readonly country: string;
  readonly segments: number;
  readonly unitPriceMicros: bigint | null;
  readonly amountMicros: bigint;
  readonly currency: string;
  readonly priceSource: 'provider' | 'rate';
  readonly final: boolean;
  readonly chargedAt: Date;
}

/** A provider-reported price that a receipt carried: it replaces the estimate of the attempt it names. */
export interface ReceiptPrice {
  readonly messageId: string;
  readonly provider: string;
  readonly providerMessageId: string;
  readonly amountMicros: bigint;
  readonly currency: string;
  /** The recipient's network (MCC+MNC) where the receipt named it: kept on a charge that has none. */
  readonly network: string | null;
}

const CURRENCY = /^[A-Z]{3}$/;

/**
 * The charge a send result makes: a `sent` of a numbered attempt with a cost the provider accepted. A
 * failed submit makes none (none of the providers we speak bills a refused API call; an ambiguous one is
 * unknown until reconciled: docs/billing.md). A cost that is not a non-negative decimal, or a currency that
 * is not an ISO 4217 code, is not billed: the event still records what it said.
 */
export function chargeOf(event: StatusChangedV1, message: ChargedMessage | undefined): ChargeRow | null {
  if (
    message === undefined ||
    event.kind !== StatusEventKind.Sent ||
    event.source === StatusEventSource.Dlr ||
    !event.attempt ||
    !event.provider ||
    !event.currency ||
    !CURRENCY.test(event.currency)
  ) {
    return null;
  }
  const amount = toMicros(event.cost);
  if (amount === null) {
    return null;
  }
  // Records from before `costEstimated` carried the route's estimate unless the provider priced them;
  // without the flag the cautious reading is an estimate, which a provider's price may still replace.
  const estimated = event.costEstimated !== false;
  const segments = Math.max(1, message.segments);

  return {
    messageId: event.messageId,
    attempt: event.attempt,
    accountId: message.accountId,
    provider: event.provider,
    providerMessageId: event.providerMessageId ?? null,
    sender: event.sender ?? null,
    country: (message.country ?? 'ZZ').slice(0, 2),
    segments,
    unitPriceMicros: (estimated ? toMicros(event.unitPrice) : null) ?? perPart(amount, segments),
    amountMicros: amount,
    currency: event.currency,
    priceSource: estimated ? 'rate' : 'provider',
    final: !estimated,
    chargedAt: new Date(event.occurredAt),
  };
}

/** A receipt that names its provider's price for the message (Vonage's DLR `price`, AWS `totalMessagePrice`). */
export function receiptPriceOf(event: StatusChangedV1): ReceiptPrice | null {
  if (event.source !== StatusEventSource.Dlr || !event.provider || !event.providerMessageId) {
    return null;
  }
  const amount = toMicros(event.cost);
  if (amount === null || !event.currency || !CURRENCY.test(event.currency)) {
    return null;
  }

  return {
    messageId: event.messageId,
    provider: event.provider,
    providerMessageId: event.providerMessageId,
    amountMicros: amount,
    currency: event.currency,
    network: event.network ?? null,
  };
}

const COLUMNS = [
  'message_id',
  'attempt',
  'account_id',
  'provider',
  'provider_message_id',
  'sender',
  'country',
  'segments',
  'unit_price_micros',
  'amount_micros',
  'currency',
  'price_source',
  'final',
  'charged_at',
  'updated_at',
] as const;

/** Columns a later, final price replaces on an estimated charge (all but the key, account and country). */
const REPLACED = [
  'provider',
  'provider_message_id',
  'sender',
  'segments',
  'unit_price_micros',
  'amount_micros',
  'currency',
  'price_source',
  'charged_at',
  'updated_at',
] as const;

/**
 * Writes a batch's charges in its transaction. Idempotent per (message, attempt): a redelivered or replayed
 * `sent` finds its row and changes nothing, and a row is replaced only by a final price over an estimate,
 * so no attempt is ever counted twice and a final price is never undone by a late estimate.
 *
 * MySQL: one multi-row INSERT … ON DUPLICATE KEY UPDATE for the batch (one round trip). MariaDB applies
 * the assignments left to right, each seeing the ones before, so `final` is assigned last and every other
 * column tests the row's old `final`. SQLite: one prepared statement per row, as the batch's other inserts
 * (in-process, a statement that repeats costs less than a new multi-row one per batch size).
 */
export async function writeCharges(sql: SqlRunner, charges: readonly ChargeRow[], now: Date): Promise<void> {
  if (charges.length === 0) {
    return;
  }
  const values = (charge: ChargeRow): unknown[] =>
    [
      charge.messageId,
      charge.attempt,
      charge.accountId,
      charge.provider,
      charge.providerMessageId,
      charge.sender,
      charge.country,
      charge.segments,
      charge.unitPriceMicros === null ? null : charge.unitPriceMicros.toString(),
      charge.amountMicros.toString(),
      charge.currency,
      charge.priceSource,
      charge.final,
      charge.chargedAt,
      now,
    ].map((value) => sql.value(value));
  const placeholders = `(${COLUMNS.map(() => '?').join(',')})`;
  if (sql.mysql) {
    const replaces = REPLACED.map(
      (column) => `${column} = IF(VALUES(final) > final, VALUES(${column}), ${column})`,
    ).join(', ');
    await sql.write(
      `INSERT INTO message_charges (${COLUMNS.join(',')}) VALUES ${charges.map(() => placeholders).join(',')}
       ON DUPLICATE KEY UPDATE ${replaces}, final = GREATEST(final, VALUES(final))`,
      charges.flatMap(values),
    );

    return;
  }
  const statement = `INSERT INTO message_charges (${COLUMNS.join(',')}) VALUES ${placeholders}
    ON CONFLICT (message_id, attempt) DO UPDATE SET ${[...REPLACED, 'final'].map((column) => `${column} = excluded.${column}`).join(', ')}
    WHERE excluded.final > message_charges.final`;
  for (const charge of charges) {
    await sql.execute(statement, values(charge));
  }
}

/**
 * A receipt's price replaces the estimate of the attempt the provider id names (one statement, only for the
 * rare receipt that carries a price). A final charge is left alone: the receipt repeats or contradicts a
 * price the send result already reported, and the first final price is the one billed.
 */
export async function applyReceiptPrice(sql: SqlRunner, price: ReceiptPrice, now: Date): Promise<boolean> {
  const changed = await sql.execute(
    `UPDATE message_charges SET amount_micros = ?, unit_price_micros = NULL, currency = ?, price_source = ?,
     network = COALESCE(network, ?), final = ?, updated_at = ?
     WHERE message_id = ? AND provider = ? AND provider_message_id = ? AND final = ?`,
    [
      price.amountMicros.toString(),
      price.currency,
      'provider',
      price.network,
      sql.value(true),
      sql.value(now),
      price.messageId,
      price.provider,
      price.providerMessageId,
      sql.value(false),
    ],
  );

  return changed > 0;
}

/**
 * Keeps the ledger's `cost` the sum of the message's charges where one event's cost is not that sum: a
 * message charged for more than one attempt (a retry after an accepted send, a receipt-driven fallback), or
 * whose estimate a receipt's price replaced. Two statements for such messages of a batch, none for the
 * common single-attempt message (its `sent` wrote its own cost). Mixed currencies have no one sum: the
 * ledger keeps the last attempt's and the charges say the rest (docs/billing.md).
 */
export async function refreshLedgerCosts(sql: SqlRunner, messageIds: ReadonlySet<string>): Promise<void> {
  if (messageIds.size === 0) {
    return;
  }
  const ids = [...messageIds];
  const rows = await sql.query<{ message_id: string; currency: string; total: string | number }>(
    `SELECT message_id, currency, CAST(SUM(amount_micros) AS ${sql.mysql ? 'CHAR' : 'TEXT'}) AS total
     FROM message_charges WHERE message_id IN (${ids.map(() => '?').join(',')}) GROUP BY message_id, currency`,
    ids,
  );
  const totals = new Map<string, { currency: string; total: bigint }[]>();
  for (const row of rows) {
    totals.set(row.message_id, [
      ...(totals.get(row.message_id) ?? []),
      { currency: row.currency, total: BigInt(String(row.total)) },
    ]);
  }
  for (const [id, sums] of totals) {
    const [only] = sums;
    if (sums.length === 1 && only) {
      await sql.write('UPDATE sms_messages SET cost = ?, currency = ? WHERE id = ?', [
        formatMicros(only.total),
        only.currency,
        id,
      ]);
    }
  }
}
