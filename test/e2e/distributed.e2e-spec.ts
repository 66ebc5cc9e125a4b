import { SIMULATED_PROVIDERS } from '@sms/simulator';
import { randomUUID } from 'node:crypto';
import 'reflect-metadata';
import { createBus, type Bus, type ConsumedRecord } from '@sms/bus';
import { DEFAULT_ACCOUNT_ID, TOPICS } from '@sms/contracts';
import { type GatewayClient, isFinalMessage, type MessageBody } from '@sms/testing';
import { distributedStack, type DistributedStack, KAFKA_BROKERS } from '@sms/testing-distributed';

const TO = '+447400123456';

/**
 * The distributed mode for real: the simulator and seven service processes on Kafka, MariaDB and
 * Redis, driven through the REST API and the `sms.send.v1` topic.
 */
describe('distributed gateway: seven services on Kafka, MariaDB and Redis', () => {
  let stack: DistributedStack;
  let client: GatewayClient;
  let bus: Bus;
  const statusEvents: ConsumedRecord[] = [];

  beforeAll(async () => {
    stack = await distributedStack({
      portOffset: 200,
      extraEnv: { RETRY_BASE_DELAY_MS: '100', MAX_SEND_ATTEMPTS: '3', STALE_MESSAGE_AFTER_MS: '3000' },
    });
    client = stack.client;
    bus = createBus({ kind: 'kafka', brokers: KAFKA_BROKERS.split(','), clientId: 'e2e-observer' });
    await bus.subscribe({
      groupId: `e2e-observer-${stack.database.name}`,
      topics: [TOPICS.status],
      handler: (record) => {
        statusEvents.push(record);

        return Promise.resolve();
      },
    });
  }, 180_000);

  afterAll(async () => {
    await bus?.close();
    await stack?.stop();
  }, 60_000);

  // Every simulated provider at once: GB has several, and a retry fails over to the next one.
  const knobs = (value: object) => Promise.all(SIMULATED_PROVIDERS.map((provider) => stack.knobs(provider, value)));

  it('takes a REST request through every service to delivered', async () => {
    const accepted = await client.post('/v1/messages', { to: TO, body: 'Hello from the distributed gateway' });
    expect(accepted.status).toBe(202);
    const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered', 30_000);
    expect(message).toMatchObject({ provider: 'twilio', attempts: 1, country: 'GB' });
    expect(message.events.filter((e) => e.applied !== false).map((e) => e.status)).toEqual([
      'queued',
      'sent',
      'delivered',
    ]);
  }, 60_000);

  it('sends over SMPP from the send-worker and stores the deliver_sm receipt in dlr-ingest', async () => {
    // The send-worker binds as transmitter; dlr-ingest holds the transceiver binds the SMSC delivers receipts on.
    const accepted = await client.post('/v1/messages', {
      to: '+4520123451',
      body: 'Hej från SMPP ' + 'x'.repeat(160),
    });
    expect(accepted.status).toBe(202);
    const message = await client.waitForMessage(accepted.body['id'], (m) => m.status === 'delivered', 30_000);
    expect(message).toMatchObject({ provider: 'smpp', attempts: 1, country: 'DK', segments: 2 });
    const sim = (await (
      await fetch(`${stack.topology.simulatorUrl}/smpp/messages`, { headers: stack.topology.simulatorAuth })
    ).json()) as { binds: string[] };
    expect(sim.binds).toEqual(expect.arrayContaining(['transmitter', 'transceiver']));
    // Both parts' receipts reach dlr-ingest (not the sender), each under its own id; dlr-processor learned both
    // ids from the send result and rolled them up: two part events, one applied `delivered`.
    const parts = (m: MessageBody) =>
      new Set(m.events.flatMap((e) => /part ([12])\/2 delivered/.exec(e.detail ?? '')?.[1] ?? []));
    const both = await client.waitForMessage(message.id, (m) => parts(m).size === 2, 15_000);
    expect(both.events.filter((e) => e.status === 'delivered' && e.applied !== false)).toHaveLength(1);
  }, 60_000);

  it('takes a sms.send.v1 record to delivered, once, however often it is produced', async () => {
    const id = randomUUID();
    const record = {
      topic: TOPICS.send,
      key: id,
      value: { id, accountId: DEFAULT_ACCOUNT_ID, to: '+12025550123', body: 'from Kafka', clientReference: 'k-1' },
    };
    await bus.publish([record]);
    await bus.publish([record]);
    const message = await client.waitForMessage(id, (m) => m.status === 'delivered', 30_000);
    expect(message).toMatchObject({ id, clientReference: 'k-1', country: 'US' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const settled = (await client.get(`/v1/messages/${id}`)).body;
    expect(settled.events.filter((e) => e.status === 'queued')).toHaveLength(1);
    expect(settled.events.filter((e) => e.status === 'sent')).toHaveLength(2); // send result + the provider's own `sent` receipt
  }, 60_000);

  it('answers a refused sms.send.v1 request on sms.status.v1 with the REST error code', async () => {
    const badNumber = randomUUID();
    const unknownField = randomUUID();
    const noAccount = randomUUID();
    const unknownAccount = randomUUID();
    const accountId = DEFAULT_ACCOUNT_ID;
    await bus.publish([
      { topic: TOPICS.send, key: badNumber, value: { id: badNumber, accountId, to: '+1555', body: 'bad number' } },
      {
        topic: TOPICS.send,
        key: unknownField,
        value: { id: unknownField, accountId, to: TO, body: 'x', priority: 'high' },
      },
      { topic: TOPICS.send, key: noAccount, value: { id: noAccount, to: TO, body: 'whose?' } },
      {
        topic: TOPICS.send,
        key: unknownAccount,
        value: { id: unknownAccount, accountId: randomUUID(), to: TO, body: 'nobody' },
      },
    ]);
    const refusalOf = async (id: string): Promise<ConsumedRecord | undefined> => {
      const deadline = Date.now() + 20_000;
      let refusal: ConsumedRecord | undefined;
      while (!refusal && Date.now() < deadline) {
        refusal = statusEvents.find((r) => r.key === id);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      return refusal;
    };
    expect((await refusalOf(badNumber))?.value).toMatchObject({
      messageId: badNumber,
      kind: 'refused',
      errorCode: 'INVALID_PHONE_NUMBER',
    });
    expect((await refusalOf(unknownField))?.value).toMatchObject({
      messageId: unknownField,
      kind: 'refused',
      errorCode: 'UNKNOWN_FIELD',
      detail: 'priority',
    });
    expect((await refusalOf(noAccount))?.value).toMatchObject({
      messageId: noAccount,
      kind: 'refused',
      errorCode: 'ACCOUNT_REQUIRED',
      detail: 'accountId',
    });
    expect((await refusalOf(unknownAccount))?.value).toMatchObject({
      messageId: unknownAccount,
      kind: 'refused',
      errorCode: 'ACCOUNT_NOT_FOUND',
    });
    expect((await client.get(`/v1/messages/${badNumber}`)).status).toBe(404);
    expect((await client.get(`/v1/messages/${noAccount}`)).status).toBe(404);
  }, 40_000);

  it('retries transient provider failures and ends failed after the last attempt', async () => {
    await knobs({ errorRate: { transient: 1 } });
    try {
      const accepted = await client.post('/v1/messages', { to: TO, body: 'provider down' });
      const message = await client.waitForMessage(accepted.body['id'], isFinalMessage, 30_000);
      expect(message.status).toBe('failed');
      expect(message.attempts).toBe(3);
    } finally {
      await knobs({ errorRate: { transient: 0 } });
    }
  }, 60_000);

  it('loses nothing when the send-worker is stopped with SIGTERM mid-stream and started again', async () => {
    await knobs({ latencyMs: 50 });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const accepted = await client.post('/v1/messages', { to: '+12025550123', body: `stream ${i}` });
      ids.push(accepted.body['id']);
    }
    const worker = stack.topology.processes.find((p) => p.name === 'send-worker');
    worker?.child.kill('SIGTERM');
    await new Promise<void>((resolve) => worker?.child.once('exit', () => resolve()));
    expect(worker?.child.exitCode).toBe(0);
    await stack.topology.restart('send-worker');
    await knobs({ latencyMs: 0 });
    for (const id of ids) {
      const message = await client.waitForMessage(id, isFinalMessage, 60_000);
      expect(message.status).toBe('delivered');
      expect(message.events.filter((e) => e.status === 'sent' && e.applied !== false)).toHaveLength(1);
    }
  }, 120_000);
});
