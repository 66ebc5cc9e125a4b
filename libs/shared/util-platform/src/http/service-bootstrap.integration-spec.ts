/**
 * A distributed service's HTTP must answer as soon as the process can take work: not after its consumer
 * groups have joined (which waits out a dead member's session, or for Kafka to come back). Real MariaDB;
 * Kafka and Redis are "down" as a port nothing listens on, never a mock.
 */
import { createServer } from 'node:net';
import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Bus } from '@sms/bus';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { serviceDataSourceProvider } from '../runtime/service-data-source';
import { BUS } from '../runtime/tokens';
import { startService } from './service-bootstrap';

jest.setTimeout(60_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return port;
}

const PROBE_DATA_SOURCE = Symbol('PROBE_DATA_SOURCE');

/** A service of one consumer and one database slice, as every real one is. */
@Module({
  providers: [serviceDataSourceProvider(PROBE_DATA_SOURCE, { service: 'probe', entities: [], migrations: [] })],
})
class ProbeServiceModule implements OnApplicationBootstrap {
  static subscribed = false;

  constructor(@Inject(BUS) private readonly bus: Bus) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({ groupId: 'probe', topics: ['probe.availability.v1'], handler: async () => undefined });
    ProbeServiceModule.subscribed = true;
  }
}

describe('startService availability', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it('listens while its consumer group cannot join, ready on its database, Kafka and Redis shown as degraded', async () => {
    const port = await freePort();
    const started = Date.now();
    app = await startService(
      { name: 'probe', defaultPort: port, imports: () => [ProbeServiceModule] },
      {
        MODE: 'distributed',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        MYSQL_URL: database.url,
        KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      },
    );
    // Bounded by the database connection and Nest's start, not by a group join that cannot happen.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(ProbeServiceModule.subscribed).toBe(true);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Record<string, boolean>; degraded?: string[] };
    expect(ready.status).toBe(200);
    expect(body).toEqual({
      status: 'ready',
      checks: { 'probe-db': true, bus: false, kv: false },
      degraded: expect.arrayContaining(['bus', 'kv']),
    });
  });
});
