import { unprocessable } from '@sms/platform';
import { readQuery, single } from '../search/query-params';

export const MAX_MINUTES = 1440;
const DEFAULT_MINUTES = 60;

/** `?minutes=`: a whole number from 1 to 1440 (a day), 60 when absent; nothing else is taken. */
export function parseMinutesQuery(input: unknown): number {
  const text = single(readQuery(input, ['minutes']), 'minutes', 'INVALID_MINUTES');
  if (text === undefined) {
    return DEFAULT_MINUTES;
  }
  const minutes = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(minutes >= 1 && minutes <= MAX_MINUTES)) {
    throw unprocessable('INVALID_MINUTES', `minutes must be a whole number from 1 to ${MAX_MINUTES}`, 'minutes');
  }

  return minutes;
}
