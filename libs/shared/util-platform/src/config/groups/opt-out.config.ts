import type { SettingsReader } from '@sms/config-kit';

/**
 * `config.keywords`: the words that opt a person out or back in, on top of the built-in STOP/START sets. Shared:
 * opt-out acts on them, intake and masking must not forward them as ordinary messages.
 */
export interface KeywordsGroup {
  /** Extra opt-out keywords, comma-separated, e.g. localized `ARRET,ARRÊT,BAJA`. */
  readonly extraStopWords: string;
  /** Extra re-subscribe keywords, comma-separated. */
  readonly extraStartWords: string;
}

export type OptOutScope = 'sender' | 'account';

/** `config.optOut`: the opt-out service's policy and its replies (`{name}` is the account's display name). */
export interface OptOutGroup {
  /**
   * Default reach of a STOP within the account that messaged: `account` (every sender of that account) or
   * `sender` (only the number texted). Accounts may override it (`PUT /v1/opt-outs/settings`); STOPALL blocks
   * every account.
   */
  readonly scope: OptOutScope;
  readonly helpReply: string;
  /** Confirms an account-wide STOP. */
  readonly stopReply: string;
  /** Confirms a STOP under the per-sender scope: it must say that only this number is blocked. */
  readonly stopSenderReply: string;
  /** Confirms STOPALL, which blocks every account. */
  readonly stopAllReply: string;
  readonly startReply: string;
}

export function readKeywordsGroup(read: SettingsReader): KeywordsGroup {
  return {
    extraStopWords: read.string('OPT_OUT_EXTRA_STOP_WORDS', { default: 'ARRET,ARRÊT' }),
    extraStartWords: read.string('OPT_OUT_EXTRA_START_WORDS', { default: '' }),
  };
}

export function readOptOutGroup(read: SettingsReader): OptOutGroup {
  return {
    scope: read.oneOf<OptOutScope>('OPT_OUT_SCOPE', ['sender', 'account'], { default: 'account' }),
    helpReply: read.string('OPT_OUT_HELP_REPLY', {
      default: 'Reply STOP to unsubscribe, START to subscribe again. Msg&data rates may apply.',
    }),
    stopReply: read.string('OPT_OUT_STOP_REPLY', {
      default: 'You will receive no more messages from {name}. Reply START to resubscribe.',
    }),
    stopSenderReply: read.string('OPT_OUT_STOP_SENDER_REPLY', {
      default:
        'You will receive no more messages from this number of {name}; other numbers of {name} may still write to you. Reply START to resubscribe.',
    }),
    stopAllReply: read.string('OPT_OUT_STOPALL_REPLY', {
      default: 'You will receive no more messages from any sender of this service. Reply START to resubscribe.',
    }),
    startReply: read.string('OPT_OUT_START_REPLY', {
      default: 'You have been resubscribed to {name}. Reply STOP to unsubscribe.',
    }),
  };
}
