import { Body, Controller, Delete, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../config/app.config';
import { createHttpApp } from './http-app.factory';

@Controller('things')
class ThingsController {
  @Delete(':id')
  @HttpCode(200)
  remove(@Param('id') id: string, @Body() body: unknown): { removed: string; body: unknown } {
    return { removed: id, body: body ?? null };
  }

  @Get(':id')
  read(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post()
  @HttpCode(200)
  create(@Body() body: unknown): { body: unknown } {
    return { body };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('empty bodies with Content-Type: application/json', () => {
  let app: NestFastifyApplication;
  const JSON_TYPE = { 'content-type': 'application/json' };

  beforeAll(async () => {
    app = await createHttpApp({
      module: ThingsModule,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      processName: 'empty-body-spec',
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['no Content-Length', {}],
    ['Content-Length: 0', { 'content-length': '0' }],
  ])('accepts a DELETE with %s and no body', async (_name, headers) => {
    const answer = await app.inject({ method: 'DELETE', url: '/things/7', headers: { ...JSON_TYPE, ...headers } });

    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ removed: '7', body: null });
  });

  it('accepts a GET with the header and no body', async () => {
    const answer = await app.inject({ method: 'GET', url: '/things/7', headers: JSON_TYPE });

    expect(answer.statusCode).toBe(200);
  });

  it('still parses a DELETE that carries a JSON body', async () => {
    const answer = await app.inject({ method: 'DELETE', url: '/things/7', headers: JSON_TYPE, payload: '{"why":"x"}' });

    expect(answer.json()).toEqual({ removed: '7', body: { why: 'x' } });
  });

  it.each([
    ['DELETE', '/things/7', '{not json'],
    ['POST', '/things', '{not json'],
    ['POST', '/things', ''],
  ])('still answers %s %s with body %j: 400 INVALID_JSON', async (method, url, payload) => {
    const answer = await app.inject({ method: method as 'POST' | 'DELETE', url, headers: JSON_TYPE, payload });

    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: { code: 'INVALID_JSON' } });
  });
});
