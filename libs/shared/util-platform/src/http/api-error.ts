/**
 * An error the API answers with `{"error": {"code", "message", "field"}}` (api.md). Codes are stable:
 * callers branch on them. Services throw this (or a subclass) and the one filter turns it into HTTP.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toBody(): { error: { code: string; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export const unprocessable = (code: string, message: string, field?: string): ApiError =>
  new ApiError(422, code, message, field);

export const notFound = (what: string): ApiError => new ApiError(404, 'NOT_FOUND', `${what} not found`);

export const serviceUnavailable = (message: string, retryAfterSeconds = 2): ApiError =>
  new ApiError(503, 'SERVICE_UNAVAILABLE', message, undefined, { 'retry-after': String(retryAfterSeconds) });
