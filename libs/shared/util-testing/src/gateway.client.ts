/** A small HTTP client for the public API, shared by the end-to-end suites of both run modes. */
export interface HttpAnswer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string>,
  ) {}

  async post<T = Record<string, unknown>>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    return this.request<T>('POST', path, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  }

  async get<T = Record<string, unknown>>(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  async request<T>(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      body,
      headers: { ...this.headers, ...headers },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }

    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** Polls GET /v1/messages/:id until `predicate` holds (or the timeout, then the last answer is returned). */
  async waitForMessage(
    id: string,
    predicate: (message: MessageBody) => boolean,
    timeoutMs = 15_000,
  ): Promise<MessageBody> {
    const deadline = Date.now() + timeoutMs;
    let last: MessageBody | null = null;
    while (Date.now() < deadline) {
      const answer = await this.get<MessageBody>(`/v1/messages/${id}`);
      if (answer.status === 200) {
        last = answer.body;
        if (predicate(last)) {
          return last;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`message ${id} did not reach the expected state: ${JSON.stringify(last)}`);
  }
}

export interface MessageBody {
  id: string;
  status: string;
  provider: string | null;
  errorCode: string | null;
  attempts: number;
  events: {
    status: string;
    source?: string;
    applied?: boolean;
    errorCode?: string;
    attempt?: number;
    detail?: string | null;
  }[];
  [key: string]: unknown;
}

export const FINAL_STATUSES = new Set(['delivered', 'undelivered', 'failed', 'cancelled', 'expired']);
export const isFinalMessage = (message: MessageBody): boolean => FINAL_STATUSES.has(message.status);
