import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './openapi.generated';

export type ApiClient = Client<paths, 'application/json'>;

/**
 * A typed client of the public API (openapi-fetch over the generated types): paths, parameters, bodies and
 * answers are checked against GET /openapi.json at compile time. `apiKey` goes in `Authorization: Bearer`.
 */
export function createApiClient(baseUrl: string, apiKey?: string, options: ClientOptions = {}): ApiClient {
  return createClient<paths, 'application/json'>({
    ...options,
    baseUrl,
    headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headersOf(options.headers) },
  });
}

function headersOf(headers: ClientOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers || Array.isArray(headers)) {
    new Headers(headers).forEach((value, key) => {
      out[key] = value;
    });
  } else if (headers) {
    for (const [key, value] of Object.entries(headers)) {
      if (value !== undefined && value !== null) {
        out[key] = String(value);
      }
    }
  }

  return out;
}
