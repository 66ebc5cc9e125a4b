import { type ApiClient, type components, createApiClient, type paths } from '@sms/api-client';

/**
 * The HTTP client the end-to-end suites of both run modes drive the public API with. Its calls are typed by
 * the client generated from GET /openapi.json (@sms/api-client): a path the document lacks, a method the
 * path does not have or a body of the wrong shape does not compile, so the suites cannot drift from the
 * document, and the openapi-contract test keeps the document equal to what the server serves.
 * `raw()` is for requests that are off the contract on purpose: malformed bodies, the simulator, /metrics.
 */
export interface HttpAnswer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** `/v1/messages/{id}` → `/v1/messages/${string}`: the concrete paths a documented template stands for. */
type Concrete<P extends string> = P extends `${infer Head}{${string}}${infer Tail}`
  ? `${Head}${string}${Concrete<Tail>}`
  : P;
type Templates<M extends Method> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];
/** A documented path with method M, with its parameters filled in and optionally a query string. */
export type ApiPath<M extends Method> = Concrete<Templates<M>> | `${Concrete<Templates<M>>}?${string}`;
type TemplateOf<M extends Method, S extends string> = {
  [P in Templates<M>]: S extends Concrete<P> | `${Concrete<P>}?${string}` ? P : never;
}[Templates<M>];
/**
 * Of the templates a path matches, the ones no longer template extends: a `${string}` parameter also matches
 * slashes, so `/v1/webhooks/${id}/deliveries` matches `/v1/webhooks/{id}` too, and the longer one is meant.
 */
type MostSpecific<C extends string, All extends string = C> = C extends string
  ? [Extract<All, `${C}/${string}`>] extends [never]
    ? C
    : never
  : never;
/** Distributes over S, so a union of paths (a helper's parameter) keeps the operation of each. */
type Operation<M extends Method, S extends string> = S extends string
  ? paths[MostSpecific<TemplateOf<M, S>>][M]
  : never;

/** A JSON body the document does not describe (yet): loose on purpose, so a test reads it as it is. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Undescribed = any;
type Described<T> = [T] extends [never] ? Undescribed : T;
type JsonContent<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type SuccessBody<O> = O extends { responses: infer R }
  ? { [C in keyof R]: C extends 200 | 201 | 202 | 204 ? JsonContent<R[C]> : never }[keyof R]
  : never;
type RequestBody<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** The answer of a documented operation: `body` is its success body (check `status` first: errors are `Error`). */
export type Answer<M extends Method, S extends string> = HttpAnswer<Described<SuccessBody<Operation<M, S>>>>;
type BodyOf<M extends Method, S extends string> = Described<RequestBody<Operation<M, S>>>;

export class GatewayClient {
  /** The generated typed client itself, for calls that want its parameter objects. */
  readonly api: ApiClient;

  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string>,
  ) {
    this.api = createApiClient(baseUrl, undefined, { headers });
  }

  async get<S extends ApiPath<'get'>>(path: S, headers: Record<string, string> = {}): Promise<Answer<'get', S>> {
    return this.call('GET', path, undefined, headers);
  }

  async post<S extends ApiPath<'post'>>(
    path: S,
    body: BodyOf<'post', S>,
    headers: Record<string, string> = {},
  ): Promise<Answer<'post', S>> {
    return this.call('POST', path, body, headers);
  }

  async put<S extends ApiPath<'put'>>(
    path: S,
    body: BodyOf<'put', S>,
    headers: Record<string, string> = {},
  ): Promise<Answer<'put', S>> {
    return this.call('PUT', path, body, headers);
  }

  async patch<S extends ApiPath<'patch'>>(
    path: S,
    body: BodyOf<'patch', S>,
    headers: Record<string, string> = {},
  ): Promise<Answer<'patch', S>> {
    return this.call('PATCH', path, body, headers);
  }

  async delete<S extends ApiPath<'delete'>>(
    path: S,
    headers: Record<string, string> = {},
  ): Promise<Answer<'delete', S>> {
    return this.call('DELETE', path, undefined, headers);
  }

  /** GET of a route outside the API document (the simulator, probes, the document itself). */
  async rawGet<T = Undescribed>(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.raw<T>('GET', path, undefined, headers);
  }

  /** POST of any JSON, off the contract on purpose (refused input) or to a route outside the document. */
  async rawPost<T = Undescribed>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    return this.raw<T>('POST', path, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  }

  /** A request off the contract on purpose (raw body, undocumented route): nothing is checked or serialised. */
  async raw<T = Undescribed>(
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

    return { status: response.status, headers: response.headers, body: (await parsed(response)) as T };
  }

  /** Polls GET /v1/messages/{id} until `predicate` holds (or the timeout, then the last answer is returned). */
  async waitForMessage(
    id: string,
    predicate: (message: MessageBody) => boolean,
    timeoutMs = 15_000,
  ): Promise<MessageBody> {
    const deadline = Date.now() + timeoutMs;
    let last: MessageBody | null = null;
    while (Date.now() < deadline) {
      const { data } = await this.api.GET('/v1/messages/{id}', { params: { path: { id } } });
      if (data) {
        last = data;
        if (predicate(last)) {
          return last;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`message ${id} did not reach the expected state: ${JSON.stringify(last)}`);
  }

  /**
   * Through openapi-fetch with the path as given (its parameters already in place), which serialises the body
   * as JSON; every status keeps its body (parsed JSON, or the text when it is not JSON).
   */
  private async call<T>(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<T> {
    const result = (await this.api.request(
      method.toLowerCase() as never,
      path as never,
      {
        ...(body === undefined ? {} : { body }),
        headers,
        parseAs: 'stream',
        signal: AbortSignal.timeout(10_000),
      } as never,
    )) as { response: Response; error?: unknown };
    const { response } = result;
    // openapi-fetch has already read an error's body; a success's stream is still unread.
    const answer = response.ok ? await parsed(response) : (result.error ?? null);

    return { status: response.status, headers: response.headers, body: answer } as T;
  }
}

async function parsed(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return text; // not JSON: keep the text
  }
}

export type MessageBody = paths['/v1/messages/{id}']['get']['responses'][200]['content']['application/json'];

export const FINAL_STATUSES = new Set(['delivered', 'undelivered', 'failed', 'cancelled', 'expired']);
export const isFinalMessage = (message: MessageBody): boolean => FINAL_STATUSES.has(message.status);

/** A scope an API key can be given (CreateApiKeyDto in the document). */
export type ApiScopeName = components['schemas']['CreateApiKeyDto']['scopes'][number];

export type ApiErrorBody = components['schemas']['Error'];

/** The `error` of an error answer (whatever the success body of its operation would have been). */
export const errorOf = (answer: HttpAnswer<unknown>): ApiErrorBody['error'] => (answer.body as ApiErrorBody).error;
