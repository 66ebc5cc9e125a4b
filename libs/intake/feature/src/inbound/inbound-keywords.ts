import type { KeywordIntent } from '@sms/opt-out-registry';

/**
 * What the gateway does with a keyword (docs/opt-out.md "What a keyword does"), recorded beside the
 * message so a caller sees why a STOP or HELP was answered; the opt-out ledger's outcome (a new entry, or
 * one already covered) is in GET /v1/opt-outs/:number/history.
 */
export const KEYWORD_HANDLING: Readonly<Record<KeywordIntent, string>> = {
  stop: 'opted_out',
  stopall: 'opted_out_every_account',
  start: 'opted_in',
  help: 'help_answered',
};

export const KEYWORDS = Object.keys(KEYWORD_HANDLING) as KeywordIntent[];
