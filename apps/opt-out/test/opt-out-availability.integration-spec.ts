/**
 * The opt-out service hosts the opt-out ledger and a mask-directory replica, both of which need their compacted
 * topics created before they read or publish. It must still serve while the broker is unreachable: HTTP up,
 * /readyz listing both as degraded, and both starting on their own once the broker answers. Real MariaDB and
 * Redis; the broker is first a port nothing listens on, then a TCP forwarder to the real Kafka on that port.
 */
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthModule } from '@sms/auth';
import { OptOutModule } from '@sms/opt-out';
import { startService } from '@sms/platform';
import { createTestDatabase, type TestDatabase } from '@sms/testing';
import { Kafka, logLevel } from 'kafkajs';
import { migrate } from '../../../scripts/migrate';

jest.setTimeout(120_000);

const KAFKA = process.env['KAFKA_BROKERS']?.split(',')[0] ?? '127.0.0.1:9092';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return port;
}

/** Listens on `port` and pipes every connection to the real broker: the broker "comes back" on that address. */
async function forwardTo(port: number, target: string): Promise<{ close(): Promise<void> }> {
  const [host, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Readiness {
  readonly status: number;
  readonly body: { status: string; checks: Record<string, boolean>; degraded?: string[] };
}

async function readyz(port: number): Promise<Readiness> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);

  return { status: response.status, body: (await response.json()) as Readiness['body'] };
}

describe('opt-out service with the broker unreachable at start', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication | undefined;
  let forwarder: { close(): Promise<void> } | undefined;
  const prefix = `avail-${randomBytes(4).toString('hex')}.`;

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.url, ['auth', 'opt-out']);
  });

  afterAll(async () => {
    await app?.close();
    await forwarder?.close();
    await database?.drop();
    const admin = new Kafka({ clientId: 'avail-cleanup', brokers: [KAFKA], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) {
      await admin.deleteTopics({ topics });
    }
    await admin.disconnect();
  });

  it('serves HTTP, reports its topic starts as degraded, and starts them once the broker answers', async () => {
    const port = await freePort();
    const brokerPort = await freePort();
    const started = Date.now();
    app = await startService(
      {
        name: 'opt-out',
        defaultPort: port,
        imports: () => [AuthModule.forRoot({ adminRoutes: false }), OptOutModule.forRoot()],
      },
      {
        MODE: 'distributed',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        MYSQL_URL: database.url,
        REDIS_URL,
        KAFKA_BROKERS: `127.0.0.1:${brokerPort}`,
        KAFKA_TOPIC_PREFIX: prefix,
      },
    );
    // Bounded by the database and Nest's start, not by topic creation against a broker that is not there.
    expect(Date.now() - started).toBeLessThan(20_000);

    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const before = await readyz(port);
    expect(before.status).toBe(200);
    expect(before.body.checks).toMatchObject({ 'opt-out-db': true, 'opt-out-start': false, 'mask-directory': false });
    expect(before.body.degraded).toEqual(expect.arrayContaining(['opt-out-start', 'mask-directory']));

    // Long enough for attempts against the dead address to fail and be retried: still serving, still degraded.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const waiting = await readyz(port);
    expect(waiting.status).toBe(200);
    expect(waiting.body.degraded).toEqual(expect.arrayContaining(['opt-out-start', 'mask-directory']));

    forwarder = await forwardTo(brokerPort, KAFKA);
    let after = before;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && !(after.body.checks['opt-out-start'] && after.body.checks['mask-directory'])) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await readyz(port);
    }
    expect(after.status).toBe(200);
    expect(after.body.checks).toMatchObject({ 'opt-out-start': true, 'mask-directory': true });
    expect(after.body.degraded ?? []).not.toEqual(expect.arrayContaining(['opt-out-start']));

    // The compacted topics exist, under this run's prefix, created by the background start.
    const admin = new Kafka({ clientId: 'avail-check', brokers: [KAFKA], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).toEqual(expect.arrayContaining([`${prefix}sms.optout.v1`, `${prefix}sms.mask.v1`]));
  });
});
