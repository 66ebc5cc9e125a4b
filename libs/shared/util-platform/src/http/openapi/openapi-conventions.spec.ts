import type { OpenAPIObject, ResponseObject } from '@nestjs/swagger';
import { applyApiConventions } from './openapi-conventions';

/** A document as Nest builds it, with the auth marks openapi-document.ts sets from the guards. */
function nestDocument(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/v1/messages': {
        post: {
          operationId: 'sendMessage',
          'x-sms-auth': 'api-key',
          parameters: [
            { name: 'Idempotency-Key', in: 'header', required: false },
            { name: 'content-type', in: 'header', required: false },
          ],
          responses: { '202': { description: 'accepted' }, '429': { description: 'A limit' } },
        },
      },
      '/v1/messages/{id}': {
        get: {
          operationId: 'getMessage',
          'x-sms-auth': 'api-key',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'the message' } },
        },
      },
      '/v1/account': {
        get: { operationId: 'getOwnAccount', 'x-sms-auth': 'api-key', responses: { '200': { description: 'ok' } } },
      },
      '/twilio/Messages.json': {
        post: {
          operationId: 'twilioSend',
          'x-sms-auth': 'own',
          'x-sms-error-format': 'own',
          security: [{ basic: [] }],
          responses: { '201': { description: 'sent' } },
        },
      },
      '/webhooks/demo': {
        post: { operationId: 'demoWebhook', 'x-sms-auth': 'public', responses: { '200': { description: 'ok' } } },
      },
    },
  } as unknown as OpenAPIObject;
}

describe('applyApiConventions', () => {
  const document = applyApiConventions(nestDocument());
  const operation = (path: string, method: 'get' | 'post') => document.paths[path]![method]!;
  const statuses = (path: string, method: 'get' | 'post') => Object.keys(operation(path, method).responses);

  it('declares both API key schemes and puts them on guarded operations only', () => {
    expect(document.components?.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }),
    });
    expect(operation('/v1/messages', 'post').security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(operation('/webhooks/demo', 'post').security).toEqual([]);
    expect(operation('/twilio/Messages.json', 'post').security).toEqual([{ basic: [] }]);
    expect(JSON.stringify(document)).not.toContain('x-sms-');
  });

  it('lists the errors each operation can meet, in status order, with the Error schema', () => {
    expect(statuses('/v1/messages', 'post')).toEqual(['202', '400', '401', '403', '409', '413', '422', '429', '503']);
    expect(statuses('/v1/messages/{id}', 'get')).toEqual(['200', '401', '403', '404', '422', '503']);
    expect(statuses('/v1/account', 'get')).toEqual(['200', '401', '403', '503']);
    expect(statuses('/webhooks/demo', 'post')).toEqual(['200', '400', '413', '422', '503']);
    const refused = operation('/v1/messages', 'post').responses['429'] as ResponseObject;
    expect(refused).toEqual({
      description: 'A limit',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
    });
    expect(document.components?.schemas?.['Error']).toMatchObject({ required: ['error'] });
  });

  it('leaves an operation with its own error format alone', () => {
    expect(statuses('/twilio/Messages.json', 'post')).toEqual(['201']);
  });

  it('documents Idempotency-Key and Idempotent-Replayed where the key is accepted, and drops ignored headers', () => {
    const send = operation('/v1/messages', 'post');
    expect(send.parameters).toEqual([{ $ref: '#/components/parameters/IdempotencyKey' }]);
    expect((send.responses['202'] as { headers?: unknown }).headers).toEqual({
      'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' },
    });
    expect(Object.keys(operation('/v1/messages/{id}', 'get').responses)).not.toContain('409');
  });
});
