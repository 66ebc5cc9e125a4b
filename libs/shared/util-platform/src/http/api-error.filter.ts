import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError, serviceUnavailable } from './api-error';

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_CONTENT_TYPE',
  429: 'RATE_LIMITED',
};

/** True for errors that mean a dependency is down: answered 503 + Retry-After, never 500. */
export type UnavailablePredicate = (error: unknown) => boolean;

/**
 * The one place where errors become HTTP responses. Known errors keep their status and code; a
 * dependency outage is 503 with Retry-After; anything else is a logged 500 that never echoes input.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  /** api.md: a body that is not JSON is 400, whichever parser Fastify would have used for it. */
  static requireJson(contentType: string | undefined): void {
    if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
      throw new ApiError(400, 'UNSUPPORTED_CONTENT_TYPE', 'Content-Type must be application/json');
    }
  }

  constructor(private readonly isUnavailable: UnavailablePredicate = () => false) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = this.toApiError(exception);
    void reply.status(error.status).headers(error.headers).send(error.toBody());
  }

  toApiError(exception: unknown): ApiError {
    if (exception instanceof ApiError) {
      return exception;
    }
    const fastifyError = fastifyClientError(exception);
    if (fastifyError) {
      return fastifyError;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest turns Fastify's JSON parse failures into a plain 400; api.md names them INVALID_JSON.
      if (status === 400 && /JSON/i.test(exception.message)) {
        return new ApiError(400, 'INVALID_JSON', 'Request body is not valid JSON');
      }
      if (status === 415) {
        return new ApiError(400, 'UNSUPPORTED_CONTENT_TYPE', 'Content-Type must be application/json');
      }

      return new ApiError(status, STATUS_CODES[status] ?? 'HTTP_ERROR', exception.message);
    }
    if (this.isUnavailable(exception)) {
      this.logger.warn(`dependency unavailable: ${describe(exception)}`);

      return serviceUnavailable('A dependency is unavailable, retry later');
    }
    this.logger.error(
      `unhandled error: ${describe(exception)}`,
      exception instanceof Error ? exception.stack : undefined,
    );

    return new ApiError(500, 'INTERNAL_ERROR', 'Internal error');
  }
}

/** Maps Fastify's own request errors (body parsing, limits, media type) onto api.md's codes. */
export function fastifyClientError(exception: unknown): ApiError | null {
  if (typeof exception !== 'object' || exception === null) {
    return null;
  }
  const { code, statusCode } = exception as { code?: unknown; statusCode?: unknown };
  if (exception instanceof HttpException) {
    return null;
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413) {
    return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'Request body is larger than the limit');
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415) {
    return new ApiError(400, 'UNSUPPORTED_CONTENT_TYPE', 'Content-Type must be application/json');
  }
  if (
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    exception instanceof SyntaxError ||
    (typeof code === 'string' && code.startsWith('FST_ERR_CTP_'))
  ) {
    return new ApiError(400, 'INVALID_JSON', 'Request body is not valid JSON');
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new ApiError(statusCode, STATUS_CODES[statusCode] ?? 'BAD_REQUEST', 'Bad request');
  }

  return null;
}

/** Error text for logs: message only, never a request body (which may hold a phone number). */
const describe = (exception: unknown): string =>
  exception instanceof Error ? `${exception.name}: ${exception.message}`.slice(0, 300) : typeof exception;
