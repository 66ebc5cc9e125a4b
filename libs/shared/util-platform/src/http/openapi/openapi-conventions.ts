import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
} from '@nestjs/swagger';

/** How a route is guarded: the gateway's API key, nothing (provider webhooks, probes), or its own scheme. */
export type RouteAuth = 'api-key' | 'public' | 'own';

/** Set on each operation before the document is built (openapi-document.ts); removed by the conventions. */
export const ROUTE_AUTH_EXTENSION = 'x-sms-auth';
/**
 * An operation that answers errors in a format of its own (a provider-compatible surface) carries
 * `x-sms-error-format: own`: it keeps the responses its controller declares and gets no `Error` ones.
 */
export const ERROR_FORMAT_EXTENSION = 'x-sms-error-format';

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

const ERROR_SCHEMA = { $ref: '#/components/schemas/Error' };
const RETRY_AFTER = { $ref: '#/components/headers/RetryAfter' };
const IDEMPOTENT_REPLAYED = { $ref: '#/components/headers/IdempotentReplayed' };
const IDEMPOTENCY_KEY = { $ref: '#/components/parameters/IdempotencyKey' };

const STANDARD_ERRORS: Readonly<Record<number, string>> = {
  400: 'The body is not JSON, or not sent as `application/json` (`INVALID_JSON`, `UNSUPPORTED_CONTENT_TYPE`)',
  401: 'No API key, or an unknown or revoked one (`UNAUTHORIZED`)',
  403: "The API key lacks the route's scope (`FORBIDDEN`)",
  404: "No such object in the caller's account (another account's is 404 too)",
  409: 'A request with this `Idempotency-Key` is still being processed (`IDEMPOTENCY_KEY_IN_FLIGHT`)',
  413: 'The body is larger than 64 KB (`PAYLOAD_TOO_LARGE`)',
  422: 'Well-formed input that breaks a rule: `error.code` says which, `error.field` names the input',
  429: 'A limit was reached: retry after `Retry-After` seconds',
  503: 'A dependency is down (`SERVICE_UNAVAILABLE`): retry after `Retry-After` seconds',
};
/** Statuses whose answers carry `Retry-After` (api-error.ts, admission.ts, idempotency.service.ts). */
const RETRY_AFTER_STATUSES = new Set([409, 429, 503]);
const BODY_METHODS = new Set(['post', 'put', 'patch']);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** OpenAPI 3: header parameters with these names are ignored; the schemes and the media types say it. */
const IGNORED_HEADERS = new Set(['accept', 'authorization', 'content-type']);

/**
 * The rules every operation of the API document follows, applied after Nest has built it so that a route
 * added anywhere gets them without being annotated (api.md "Conventions"):
 * - security: routes behind the API key accept it as an opaque bearer token or as `X-Api-Key`; unguarded
 *   ones say `security: []`;
 * - error responses that can really happen to the operation, each with the shared `Error` schema: 400 and
 *   413 with a body, 401 and 403 behind the key, 404 with a path parameter, 422 with any input, 409 where
 *   `Idempotency-Key` is accepted, 503 everywhere; 429 and other statuses where the controller declares them;
 * - `Idempotency-Key` (declared by the controller, e.g. with `ApiIdempotencyKey()`) becomes the shared
 *   parameter, and its success responses document `Idempotent-Replayed`.
 */
export function applyApiConventions(document: OpenAPIObject): OpenAPIObject {
  const components = document.components ?? {};
  document.components = {
    ...components,
    securitySchemes: {
      ...components.securitySchemes,
      [BEARER_SCHEME]: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'An API key (`smsgw_…`), opaque to the caller: `Authorization: Bearer <api key>`',
      },
      [API_KEY_SCHEME]: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Api-Key',
        description: 'The same API key in its own header',
      },
    },
    schemas: { ...components.schemas, Error: errorSchema() },
    parameters: { ...components.parameters, IdempotencyKey: idempotencyKeyParameter() },
    headers: {
      ...components.headers,
      RetryAfter: {
        description: 'Seconds to wait before retrying',
        schema: { type: 'integer', minimum: 0 },
      },
      IdempotentReplayed: {
        description: '`true` when this is the stored first response to the same `Idempotency-Key` and body',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  };
  delete document.security;
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) {
        applyToOperation(operation, method, item);
      }
    }
  }

  return document;
}

function applyToOperation(operation: OperationObject, method: string, item: PathItemObject): void {
  const extensions = operation as unknown as Record<string, unknown>;
  const auth = extensions[ROUTE_AUTH_EXTENSION] as RouteAuth | undefined;
  delete extensions[ROUTE_AUTH_EXTENSION];
  if (auth === 'api-key') {
    operation.security = [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
  } else if (auth === 'public' || !operation.security) {
    operation.security = [];
  }
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].filter(isParameter);
  const idempotent = parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
  operation.parameters = normaliseParameters(operation.parameters ?? [], idempotent);
  const ownErrorFormat = extensions[ERROR_FORMAT_EXTENSION] === 'own';
  delete extensions[ERROR_FORMAT_EXTENSION];
  if (ownErrorFormat) {
    return;
  }
  const responses = (operation.responses ?? {}) as Record<string, ResponseObject | ReferenceObject>;
  const hasBody = BODY_METHODS.has(method);
  const hasInput =
    hasBody || operation.requestBody !== undefined || parameters.some((p) => p.in === 'query' || p.in === 'path');
  const wanted: Record<number, boolean> = {
    400: hasBody,
    401: operation.security.length > 0,
    403: operation.security.length > 0,
    404: parameters.some((p) => p.in === 'path'),
    409: idempotent,
    413: hasBody,
    422: hasInput,
    503: true,
  };
  for (const [status, applies] of Object.entries(wanted)) {
    if (applies && !(status in responses)) {
      responses[status] = { description: STANDARD_ERRORS[Number(status)] ?? 'Error' };
    }
  }
  for (const [status, response] of Object.entries(responses)) {
    const code = Number(status);
    if ('$ref' in response) {
      continue;
    }
    if (code >= 400) {
      response.content = { 'application/json': { schema: ERROR_SCHEMA } };
      if (RETRY_AFTER_STATUSES.has(code)) {
        response.headers = { ...response.headers, 'Retry-After': RETRY_AFTER };
      }
    } else if (idempotent && code >= 200 && code < 300) {
      response.headers = { ...response.headers, 'Idempotent-Replayed': IDEMPOTENT_REPLAYED };
    }
  }
  operation.responses = Object.fromEntries(
    Object.entries(responses).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })),
  );
}

/** Drops headers OpenAPI ignores and duplicates, and points `Idempotency-Key` at the shared parameter. */
function normaliseParameters(
  parameters: (ParameterObject | ReferenceObject)[],
  idempotent: boolean,
): (ParameterObject | ReferenceObject)[] {
  const kept = parameters.filter(
    (p) =>
      !isParameter(p) ||
      p.in !== 'header' ||
      !(IGNORED_HEADERS.has(p.name.toLowerCase()) || p.name.toLowerCase() === 'idempotency-key'),
  );

  return idempotent ? [...kept, IDEMPOTENCY_KEY] : kept;
}

const isParameter = (parameter: ParameterObject | ReferenceObject): parameter is ParameterObject =>
  !('$ref' in parameter);

function errorSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: 'Every error answer of the API (api.md "Conventions")',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', example: 'INVALID_PHONE_NUMBER' },
          message: { type: 'string', example: 'to is not a valid phone number' },
          field: { type: 'string', description: 'The input at fault, when there is one', example: 'to' },
        },
      },
    },
  };
}

function idempotencyKeyParameter(): ParameterObject {
  return {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'The same key and body within 24 h returns the first response with `Idempotent-Replayed: true`; ' +
      'the same key with another body is 422 `IDEMPOTENCY_KEY_REUSED`. Scoped to the API key.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
  };
}
