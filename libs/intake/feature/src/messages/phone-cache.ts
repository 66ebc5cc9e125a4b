import { parsePhone, type PhoneParseResult } from '@sms/phone';

/** Most parse results kept; beyond it the oldest goes (about 200 bytes each). */
export const PHONE_CACHE_SIZE = 10_000;

/** Longer text is refused by parsePhone at once (TOO_LONG): not worth a place, and it bounds each key. */
const MAX_CACHED_INPUT = 32;

/**
 * parsePhone with its results kept: a number's validity is a pure function of its text and the country
 * hint, and matching it against the max metadata's ranges is the costliest step of validating a send.
 * Senders repeat on nearly every request and recipients often do (codes to the same users, campaigns
 * retried), so the same text is not matched again. Results are frozen objects, shared safely.
 */
export class PhoneParseCache {
  private readonly results = new Map<string, PhoneParseResult>();

  constructor(private readonly capacity = PHONE_CACHE_SIZE) {}

  parse(input: string, defaultCountry?: string): PhoneParseResult {
    if (input.length > MAX_CACHED_INPUT) {
      return parsePhone(input, defaultCountry);
    }
    // The separator cannot occur in an accepted number or in a country code.
    const key = defaultCountry === undefined ? input : `${defaultCountry}\u0000${input}`;
    let result = this.results.get(key);
    if (result === undefined) {
      result = Object.freeze(parsePhone(input, defaultCountry));
      this.results.set(key, result);
      if (this.results.size > this.capacity) {
        const oldest = this.results.keys().next().value;
        if (oldest !== undefined) {
          this.results.delete(oldest);
        }
      }
    }

    return result;
  }

  get size(): number {
    return this.results.size;
  }
}

/** The process's cache, shared by every validation. */
export const phoneParseCache = new PhoneParseCache();
