import type { FastifyInstance } from 'fastify';

/** Methods whose requests carry no body in this API; Fastify never parses GET and HEAD bodies itself. */
const BODYLESS_METHODS = new Set(['DELETE', 'OPTIONS']);

/**
 * Common HTTP clients send `Content-Type: application/json` on every request, a DELETE with no body
 * included; Fastify would run the JSON parser on the empty body and the API would answer 400
 * INVALID_JSON to a well-formed request. A body-less method whose request declares no body (no
 * Content-Length, or 0, and no Transfer-Encoding) therefore drops its Content-Type before parsing. A
 * request that does carry bytes is parsed as sent, so invalid JSON is still 400 INVALID_JSON, and a POST
 * with an empty JSON body is still refused.
 */
export function acceptEmptyBodylessRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const headers = request.raw.headers;
    if (
      BODYLESS_METHODS.has(request.method) &&
      headers['content-type'] !== undefined &&
      headers['transfer-encoding'] === undefined &&
      (headers['content-length'] === undefined || headers['content-length'] === '0')
    ) {
      delete headers['content-type'];
    }
    done();
  });
}
