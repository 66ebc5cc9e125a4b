import type { RawWebhook } from '@sms/provider-port';

/** Header lookup that ignores case: Node lowercases names, other callers may not. */
export function webhookHeader(webhook: RawWebhook, name: string): string | undefined {
  const key = Object.keys(webhook.headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase());

  return key === undefined ? undefined : webhook.headers[key];
}

export function isJsonWebhook(webhook: RawWebhook): boolean {
  return webhook.contentType.toLowerCase().includes('json');
}

export function isGetWebhook(webhook: RawWebhook): boolean {
  return webhook.method.toUpperCase() === 'GET';
}

/** Twilio posts forms, but MO webhooks may be configured as GET, which moves the params into the query. */
export function webhookParams(webhook: RawWebhook): URLSearchParams {
  return isGetWebhook(webhook) ? new URL(webhook.url).searchParams : new URLSearchParams(webhook.body);
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);

    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `RawDlrDoneDate` is the carrier's `YYMMDDhhmm` in UTC; anything unreadable is dropped, not guessed. */
export function parseRawDlrDoneDate(raw: string | null): Date | undefined {
  const match = raw === null ? null : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(raw);
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(2000 + year, month - 1, day, hour, minute));
  const valid = date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60;

  return valid ? date : undefined;
}
