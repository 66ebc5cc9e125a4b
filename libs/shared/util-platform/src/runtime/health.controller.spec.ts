import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShutdownRegistry } from '../lifecycle/shutdown.registry';
import { HealthController } from './health.controller';
import { ReadinessRegistry } from './readiness.registry';

@Module({ controllers: [HealthController], providers: [ReadinessRegistry, ShutdownRegistry] })
class HealthTestModule {}

describe(HealthController.name, () => {
  let app: NestFastifyApplication;

  beforeEach(async () => {
    app = await NestFactory.create<NestFastifyApplication>(HealthTestModule, new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterEach(async () => {
    await app.close();
  });

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });

    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };

  it('is ready when every registered dependency answers, and names the one that does not', async () => {
    const readiness = app.get(ReadinessRegistry);
    readiness.register('orders-db', async () => true);
    readiness.register('bus', async () => true);
    expect(await get('/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', checks: { 'orders-db': true, bus: true } },
    });

    readiness.register('kv', () => Promise.reject(new Error('ECONNREFUSED')));
    expect(await get('/readyz')).toEqual({
      status: 503,
      body: { status: 'not_ready', checks: { 'orders-db': true, bus: true, kv: false } },
    });
  });

  it('stays ready while only dependencies it can do without are down, and lists them as degraded', async () => {
    const readiness = app.get(ReadinessRegistry);
    readiness.register('intake-db', async () => true);
    readiness.register('bus', async () => false, { required: false });
    readiness.register('kv', () => Promise.reject(new Error('ECONNREFUSED')), { required: false });
    expect(await get('/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', checks: { 'intake-db': true, bus: false, kv: false }, degraded: ['bus', 'kv'] },
    });

    readiness.register('intake-db', async () => false);
    expect(await get('/readyz')).toEqual({
      status: 503,
      body: { status: 'not_ready', checks: { 'intake-db': false, bus: false, kv: false }, degraded: ['bus', 'kv'] },
    });
  });

  it('treats a dependency that hangs as down after the deadline', async () => {
    app.get(ReadinessRegistry).register('db', () => new Promise<boolean>(() => undefined));
    const started = Date.now();
    expect((await get('/readyz')).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('fails fast once shutdown has begun, without waiting for any check, while staying alive', async () => {
    app.get(ReadinessRegistry).register('db', () => new Promise<boolean>(() => undefined));
    app.get(ShutdownRegistry).beginShutdown();
    const started = Date.now();
    expect(await get('/readyz')).toEqual({ status: 503, body: { status: 'shutting_down', checks: {} } });
    expect(Date.now() - started).toBeLessThan(200);
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });
});
