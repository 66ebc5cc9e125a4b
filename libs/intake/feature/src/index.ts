export * from './intake.module';
export { validateMessageRequest, type ValidatedMessage } from './messages/message-request.validator';
// For composing intake with other services in integration tests and benchmarks.
export { INTAKE_OUTBOX } from './database/intake.schema';
export { LedgerWriter } from './ledger/ledger.writer';
export { MessagesService } from './messages/messages.service';
export { StatusApplier } from './status/status-applier.service';
export { RetryScheduler } from './status/retry.scheduler';
export type { RecipientOptOutCheck } from './status/dlr-fallback';
export { ReceiptDeadlineSweep, parseReceiptDeadlines, type ReceiptDeadlines } from './status/receipt-deadline.sweep';
