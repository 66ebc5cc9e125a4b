/** Canonical message status as callers see it (api.md). */
export enum MessageStatus {
  Queued = 'queued',
  Sending = 'sending',
  Sent = 'sent',
  Delivered = 'delivered',
  Failed = 'failed',
  Undelivered = 'undelivered',
}

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
  Retry = 'retry',
  Refused = 'refused',
}

export enum StatusEventSource {
  Intake = 'intake',
  Router = 'router',
  SendWorker = 'send-worker',
  Dlr = 'dlr',
}

export enum MessageClass {
  Transactional = 'transactional',
  Marketing = 'marketing',
}

export enum Encoding {
  Gsm7 = 'GSM-7',
  Ucs2 = 'UCS-2',
}
