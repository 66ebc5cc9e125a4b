import type { RawWebhook } from '@sms/provider-port';

/**
 * A Vonage webhook's params, whatever the dashboard's "Webhook format": GET (query string), POST (form) or
 * POST-JSON. JSON scalars become strings, as they are signed and documented as strings. Never throws.
 */
export function vonageWebhookParams(webhook: RawWebhook): Record<string, string> {
  try {
    if (webhook.method.toUpperCase() === 'GET') {
      return Object.fromEntries(new URL(webhook.url).searchParams);
    }
    if (webhook.contentType.toLowerCase().includes('json')) {
      const value: unknown = JSON.parse(webhook.body);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return {};
      }

      return Object.fromEntries(
        Object.entries(value).flatMap(([key, field]) =>
          typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean'
            ? [[key, String(field)]]
            : [],
        ),
      );
    }

    return Object.fromEntries(new URLSearchParams(webhook.body));
  } catch {
    return {};
  }
}

/** `YYMMDDHHMM` (DLR `scts`, the carrier's time, UTC) or `YYYY-MM-DD HH:MM:SS` (`message-timestamp`, UTC). */
export function parseVonageTime(raw: string | undefined): Date | undefined {
  if (raw === undefined) {
    return undefined;
  }
  const short = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(raw);
  const long = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(raw);
  const parts = short
    ? [2000 + Number(short[1]), ...short.slice(2).map(Number), 0]
    : long
      ? long.slice(1).map(Number)
      : null;
  if (parts === null) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const valid =
    date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;

  return valid ? date : undefined;
}
