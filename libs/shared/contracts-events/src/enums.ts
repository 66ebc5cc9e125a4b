/** Canonical message status as callers see it (api.md). */
export enum MessageStatus {
  /** Held in the ledger until its `sendAt` (docs/scheduling.md); nothing downstream knows of it yet. */
  Scheduled = 'scheduled',
  Queued = 'queued',
  Sending = 'sending',
  Sent = 'sent',
  Delivered = 'delivered',
  Failed = 'failed',
  Undelivered = 'undelivered',
  /**
   * Final, outcome unknown: the message was sent but no final receipt came within the provider's deadline
   * and the provider could not say what became of it (docs/reconciliation.md). A later real receipt still
   * moves it to delivered or undelivered.
   */
  Unknown = 'unknown',
  /** Final: cancelled by the caller before any provider had it (`POST /v1/messages/:id/cancel`). */
  Cancelled = 'cancelled',
  /** Final: its validity ran out before it could be sent; never sent late (error code VALIDITY_EXPIRED). */
  Expired = 'expired',
}

/** The error code of a message that ended `expired`: its validity ran out before it could be sent. */
export const VALIDITY_EXPIRED = 'VALIDITY_EXPIRED';

/**
 * What a status event reports. Besides the canonical statuses: `retry` (a transient failure; intake
 * reschedules or gives up) and `refused` (a `sms.send.v1` request that intake rejected; no ledger row).
 */
export enum StatusEventKind {
  Sending = 'sending',
  Sent = 'sent',
  Delivered = 'delivered',
  Undelivered = 'undelivered',
  Failed = 'failed',
  /** Reconciliation gave up on learning the outcome: the message ends `unknown` (see MessageStatus.Unknown). */
  Unknown = 'unknown',
  /** The send-worker found the attempt cancelled before calling the provider (see MessageStatus.Cancelled). */
  Cancelled = 'cancelled',
  /** The message's validity ran out while it waited (router backlog, rate slot): it ends `expired`. */
  Expired = 'expired',
  Retry = 'retry',
  Refused = 'refused',
}

export enum StatusEventSource {
  Intake = 'intake',
  Router = 'router',
  SendWorker = 'send-worker',
  Dlr = 'dlr',
  /** The send-worker's reconciliation of a message without a final receipt (a provider lookup). */
  Reconcile = 'reconcile',
}

export enum MessageClass {
  Transactional = 'transactional',
  Marketing = 'marketing',
}

export enum Encoding {
  Gsm7 = 'GSM-7',
  Ucs2 = 'UCS-2',
}
