/** A thread between one of the account's numbers and one person (GET /v1/inbound/conversations). */
export interface ConversationView {
  readonly ourNumber: string;
  readonly theirNumber: string;
  /** The newest inbound message of the thread. */
  readonly lastAt: string;
  readonly inbound: number;
  readonly outbound: number;
  /** `ourNumber` is a masking pool number: the thread is a masked session's. */
  readonly masked: boolean;
}

/** One message of a thread, either way (GET /v1/inbound/conversations/messages). */
export interface ThreadMessageView {
  readonly direction: 'inbound' | 'outbound';
  readonly id: string;
  readonly body: string;
  /** The outbound message's status; `received` for an inbound one. */
  readonly status: string;
  readonly at: string;
}

/** A datetime column's value as a Date: SQLite hands datetimes (and aggregates of them) back as UTC text. */
export const asDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(/[zZ]$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
