import type { CallbackLogReader, CallbackLogView, RawReceiptReader, RawReceiptView } from '@sms/contracts';

/** Longest wait for one internal read; MessageTimeline bounds the whole part with its own timeout as well. */
const READ_TIMEOUT_MS = 2_000;

async function readData<T>(url: string, token: string, fetchFn: typeof fetch): Promise<T[]> {
  const response = await fetchFn(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    signal: AbortSignal.timeout(READ_TIMEOUT_MS),
  });
  if (response.status !== 200) {
    throw new Error(`internal read answered ${response.status}`);
  }
  const body = (await response.json()) as { data?: unknown };
  if (!Array.isArray(body.data)) {
    throw new Error('internal read answered an unexpected body');
  }

  return body.data as T[];
}

/** A distributed intake's read of raw receipts: dlr-ingest's internal route, with the internal token. */
export class HttpRawReceiptReader implements RawReceiptReader {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  read(ids: readonly string[]): Promise<RawReceiptView[]> {
    const query = new URLSearchParams({ ids: ids.join(',') });

    return readData(
      `${this.baseUrl.replace(/\/$/, '')}/internal/v1/receipts?${query.toString()}`,
      this.token,
      this.fetchFn,
    );
  }
}

/** A distributed intake's read of caller callbacks: dlr-processor's internal route, with the internal token. */
export class HttpCallbackLogReader implements CallbackLogReader {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  read(messageId: string): Promise<CallbackLogView[]> {
    return readData(
      `${this.baseUrl.replace(/\/$/, '')}/internal/v1/messages/${encodeURIComponent(messageId)}/callbacks`,
      this.token,
      this.fetchFn,
    );
  }
}
