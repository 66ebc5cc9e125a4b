import { Controller, Get, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '../config/app.config';
import { createHttpApp } from './http-app.factory';

@Controller('things')
class ThingsController {
  @Get(':id')
  read(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('the OpenAPI document', () => {
  let app: NestFastifyApplication;
  const createDocument = jest.spyOn(SwaggerModule, 'createDocument');

  beforeAll(async () => {
    app = await createHttpApp({
      module: ThingsModule,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      processName: 'openapi-spec',
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    createDocument.mockRestore();
  });

  it('is not built at start', async () => {
    const answer = await app.inject({ method: 'GET', url: '/things/7' });

    expect(answer.statusCode).toBe(200);
    expect(createDocument).not.toHaveBeenCalled();
  });

  it('is built on the first request for it, once, and served whole', async () => {
    const first = await app.inject({ method: 'GET', url: '/openapi.json' });
    const ui = await app.inject({ method: 'GET', url: '/docs/swagger-ui-init.js' });
    const second = await app.inject({ method: 'GET', url: '/openapi.json' });

    expect(first.statusCode).toBe(200);
    expect(Object.keys(first.json<{ paths: object }>().paths)).toEqual(['/things/{id}']);
    expect(ui.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(createDocument).toHaveBeenCalledTimes(1);
  });
});
