/**
 * Every API key, message, inbound message, opt-out, mask, callback, webhook subscription and usage
 * record belongs to one account. Rows written before accounts existed, and records on the bus that
 * predate the field, belong to this one: the embedded gateway's first account and the target of the
 * migrations that add the column.
 */
export const DEFAULT_ACCOUNT_ID = '00000000-0000-4000-8000-000000000000';
