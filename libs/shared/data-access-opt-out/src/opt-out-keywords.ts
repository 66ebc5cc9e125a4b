/** What an inbound message asks for, when it is a keyword at all. */
export type KeywordIntent = 'stop' | 'stopall' | 'start' | 'help';

/** The CTIA / carrier set; operators add localized words through configuration. */
export const STOP_WORDS = ['STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT-OUT'] as const;
export const START_WORDS = ['START', 'UNSTOP', 'YES'] as const;
export const HELP_WORDS = ['HELP', 'INFO'] as const;

export interface KeywordSet {
  readonly stop: ReadonlySet<string>;
  readonly start: ReadonlySet<string>;
}

/** Upper case after Unicode normalisation, so `Arrêt` typed with a combining accent still matches. */
const normalizeWord = (word: string): string => word.normalize('NFC').toLocaleUpperCase('en-US');

/** Builds the keyword set from the built-in words plus comma-separated extras from configuration. */
export function keywordSet(extraStop: string, extraStart: string): KeywordSet {
  const words = (extra: string): string[] =>
    extra
      .split(',')
      .map((w) => normalizeWord(w.trim()))
      .filter((w) => w.length > 0);

  return {
    stop: new Set([...STOP_WORDS, ...words(extraStop)]),
    start: new Set([...START_WORDS, ...words(extraStart)]),
  };
}

/**
 * Classifies an inbound body. Only a message that is exactly one keyword counts (case and surrounding
 * whitespace ignored, one trailing `.` or `!` tolerated): "stop please" or "don't stop" are
 * conversation, not an opt-out, and must reach whoever reads the replies.
 */
export function classifyKeyword(body: string, keywords: KeywordSet): KeywordIntent | null {
  const word = normalizeWord(body.trim()).replace(/[.!]$/u, '');
  if (word.length === 0 || /\s/u.test(word)) {
    return null;
  }
  if (word === 'STOPALL') {
    return 'stopall';
  }
  if (keywords.stop.has(word)) {
    return 'stop';
  }
  if (keywords.start.has(word)) {
    return 'start';
  }
  if ((HELP_WORDS as readonly string[]).includes(word)) {
    return 'help';
  }

  return null;
}
