export * from './intake.module';
export { validateMessageRequest, type ValidatedMessage } from './messages/message-request.validator';
// For composing intake with other services in integration tests and benchmarks.
export { INTAKE_OUTBOX } from './database/intake.schema';
export { LedgerWriter } from './ledger/ledger.writer';
// The monthly tables and the by-id lookup (partition maintenance, the archive, the ledger-scale benchmark).
export {
  INTAKE_MONTHLY_TABLES,
  LEDGER_PARTITION_KEYS,
  MESSAGE_EVENTS_TABLE,
  SMS_MESSAGES_TABLE,
} from './database/ledger-tables';
export { eventsOf, findMessageById, messageByIdQuery } from './ledger/message-lookup';
export { MessagesService } from './messages/messages.service';
export { StatusApplier } from './status/status-applier.service';
export { RetryScheduler } from './status/retry.scheduler';
export type { RecipientOptOutCheck } from './status/dlr-fallback';
export { ReceiptDeadlineSweep, parseReceiptDeadlines, type ReceiptDeadlines } from './status/receipt-deadline.sweep';
// Message search for every API surface (REST list, other surfaces): typed filters and a cursor in, a page out.
export {
  MessageSearch,
  type MessageSearchFilters,
  type MessageSearchRequest,
  type MessageSummary,
  type Page,
} from './search/message-search';
// Inbound messages: the store (with a listener per newly stored message and its account) and the search.
export { InboundStore, type InboundListener } from './inbound/inbound.store';
export { InboundSearch, type InboundSearchFilters, type InboundSearchRequest } from './inbound/inbound-search';
export type { InboundMessageView, StoredInboundMessage } from './inbound/inbound.views';
export * from './gateway-origin';
