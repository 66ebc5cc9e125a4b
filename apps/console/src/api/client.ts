import { type ApiClient, type components, createApiClient } from '@sms/api-client';

export type Schemas = components['schemas'];
export type Scope = Schemas['OwnAccountDto']['scopes'][number];

/** An error as the API words it ({error: {code, message, field?}}), with the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The API's error body, or a stand-in naming the status when the body is not the house format. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(status, error.code, error.message, typeof error.field === 'string' ? error.field : undefined);
  }
  const { error: text, problems } = (body ?? {}) as { error?: unknown; problems?: unknown };
  const detail = Array.isArray(problems) ? `: ${problems.map(String).join('; ')}` : '';

  return new ApiError(
    status,
    `HTTP_${status}`,
    `${typeof text === 'string' ? text : `the server answered ${status}`}${detail}`,
  );
}

/** A network failure (no answer at all) in the same shape, so every error is shown one way. */
export const networkError = (cause: unknown): ApiError =>
  new ApiError(0, 'NETWORK_ERROR', cause instanceof Error ? cause.message : 'the gateway did not answer');

/** The typed client of the public API, on this origin, with the signed-in key. */
export const apiClientFor = (key: string): ApiClient => createApiClient(window.location.origin, key);

/** Unwraps an openapi-fetch answer: the data, or the API's error thrown as {@link ApiError}. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch (cause) {
    throw networkError(cause);
  }
  if (!answer.response.ok) {
    throw apiErrorOf(answer.response.status, answer.error);
  }

  return answer.data as T;
}

/**
 * A call outside the typed client's paths: the console-api endpoints not yet in the generated document and
 * the embedded simulator's control routes. Same key, same error handling.
 */
export async function rawCall<T>(key: string, method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw networkError(cause);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  if (!response.ok) {
    throw apiErrorOf(response.status, parsed);
  }

  return parsed as T;
}

/** A query string from the filled-in fields only. */
export function queryOf(fields: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && String(value).trim() !== '') {
      query.set(name, String(value).trim());
    }
  }
  const text = query.toString();

  return text === '' ? '' : `?${text}`;
}
