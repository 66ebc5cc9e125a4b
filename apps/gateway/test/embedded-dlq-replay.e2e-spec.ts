import { randomUUID } from 'node:crypto';
import { ApiKeyService, ApiScope } from '@sms/auth';
import { type Bus, type ConsumedRecord, dlqTopicOf, NonRetriableError } from '@sms/bus';
import { BUS } from '@sms/platform';
import { GatewayClient } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { waitFor } from '@sms/testing-scenarios';

jest.setTimeout(60_000);

const REPLAY = '/v1/admin/dlq/replay';
const ADMIN_ONLY_KEY = 'smsgw_test_key_admin_only_for_dlq_replay0';

describe('embedded gateway: POST /v1/admin/dlq/replay (in-process DLQ)', () => {
  let gateway: EmbeddedGateway;
  let operator: GatewayClient;
  let bus: Bus;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    operator = new GatewayClient(gateway.url, gateway.auth);
    bus = gateway.app.get<Bus>(BUS);
    await gateway.app.get(ApiKeyService).ensure('admin only', ADMIN_ONLY_KEY, [ApiScope.Admin]);
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('is the operator scope only: an admin key gets 403, no key 401', async () => {
    const admin = new GatewayClient(gateway.url, { authorization: `Bearer ${ADMIN_ONLY_KEY}` });
    const forbidden = await admin.post(REPLAY, { topic: 'sms.status.v1.dlq', dryRun: true });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await new GatewayClient(gateway.url, {}).post(REPLAY, { topic: 'sms.status.v1.dlq' })).status).toBe(401);
  });

  it.each([
    [{ topic: 'sms.status.v1' }, 'INVALID_DLQ_REPLAY', 'topic'],
    [{}, 'INVALID_DLQ_REPLAY', 'topic'],
    [{ topic: 'sms.status.v1.dlq', limit: 0 }, 'INVALID_DLQ_REPLAY', 'limit'],
    [{ topic: 'sms.status.v1.dlq', limit: '5' }, 'INVALID_DLQ_REPLAY', 'limit'],
    [{ topic: 'sms.status.v1.dlq', from: 'yesterday' }, 'INVALID_DLQ_REPLAY', 'from'],
    [
      { topic: 'sms.status.v1.dlq', from: '2026-12-06T10:00:00Z', to: '2026-12-06T09:00:00Z' },
      'INVALID_DLQ_REPLAY',
      'to',
    ],
    [{ topic: 'sms.status.v1.dlq', dryRun: 'yes' }, 'INVALID_DLQ_REPLAY', 'dryRun'],
    [{ topic: 'sms.status.v1.dlq', partition: 1 }, 'UNKNOWN_FIELD', 'partition'],
  ])('answers 422 to %o with %s on %s', async (body, code, field) => {
    const answer = await operator.rawPost(REPLAY, body);
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({ error: { code, message: expect.any(String), field } });
  });

  it('answers 404 DLQ_TOPIC_NOT_FOUND for a DLQ nothing was dead-lettered to, and 400 to a non-JSON body', async () => {
    const missing = await operator.post(REPLAY, { topic: `never-${randomUUID()}.dlq` });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'DLQ_TOPIC_NOT_FOUND', field: 'topic' } });
    const text = await operator.raw('POST', REPLAY, 'topic=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
  });

  it('puts dead letters back on their topic once each: dry run, replay, then nothing left to replay', async () => {
    const topic = `e2e.dlq-replay.${randomUUID().slice(0, 8)}.v1`;
    let fixed = false;
    const handled: ConsumedRecord[] = [];
    await bus.subscribe({
      groupId: 'e2e-dlq-replay',
      topics: [topic],
      handler: async (record) => {
        if (!fixed) {
          throw new NonRetriableError('the handler had a bug');
        }
        handled.push(record);
      },
    });
    await bus.publish([1, 2].map((n) => ({ topic, key: `k${n}`, value: { n } })));
    const dlqTopic = dlqTopicOf(topic);
    await waitFor(
      'two dead letters',
      async () => {
        const answer = await operator.post(REPLAY, { topic: dlqTopic, dryRun: true });

        return answer.status === 200 && answer.body.replayed.length === 2;
      },
      10_000,
    );
    expect(handled).toHaveLength(0);
    fixed = true;

    const replay = await operator.post(REPLAY, { topic: dlqTopic });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ dlqTopic, dryRun: false, alreadyReplayed: 0, remaining: 0 });
    expect(replay.body.replayed.map((r) => r.sourceTopic)).toEqual([topic, topic]);
    await waitFor('both records handled', async () => handled.length === 2, 10_000);
    expect(handled.map((r) => (r.value as { n: number }).n).sort()).toEqual([1, 2]);

    const again = await operator.post(REPLAY, { topic: dlqTopic });
    expect(again.body).toMatchObject({ replayed: [], alreadyReplayed: 2, remaining: 0 });
  });
});
