import 'reflect-metadata';
import { randomInt } from 'node:crypto';
import { type GatewayClient, isFinalMessage } from '@sms/testing';
import { distributedStack, type DistributedStack } from '@sms/testing-distributed';
import { inbound, simMessages, waitFor } from '@sms/testing-scenarios';
import { SERVICE_PORTS } from '../../scripts/distributed';

const PORT_OFFSET = 1600;
const SENDER = '+12025550142';
const RACE_SENDER = '+12025550199';

/**
 * Random recipients and parties: `sms.optout.v1` and `sms.mask.v1` are compacted topics shared by every
 * run against this broker, so a fixed number opted out here would stay opted out for later runs.
 */
const freshNumber = () => `+1415555${String(randomInt(2000, 9999))}`;

/**
 * Opt-out and masking in the distributed mode: the services as their own processes, inbound messages
 * through the simulator → dlr-ingest → dlr-processor → `sms.inbound.v1`, opt-outs to intake and the
 * send-worker through `sms.optout.v1`, masked destinations through `sms.mask.v1`.
 */
describe('distributed gateway: opt-out and masking', () => {
  let stack: DistributedStack;
  let intake: GatewayClient;
  let optOut: GatewayClient;
  let masking: GatewayClient;
  let sim: GatewayClient;
  const dlrIngest = `http://127.0.0.1:${SERVICE_PORTS['dlr-ingest'] + PORT_OFFSET}`;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    stack = await distributedStack({ portOffset: PORT_OFFSET, extraEnv: { MASK_SWEEP_INTERVAL_MS: '500' } });
    intake = stack.client;
    optOut = stack.serviceClient('opt-out');
    masking = stack.serviceClient('masking');
    sim = stack.simulator;
  }, 180_000);

  afterAll(async () => {
    for (const step of cleanup) {
      await step().catch(() => undefined);
    }
    await stack?.stop();
  }, 60_000);

  const send = (to: string, from?: string) =>
    intake.post('/v1/messages', { to, body: 'hello', ...(from ? { from } : {}) });
  const entries = async (number: string) =>
    (await optOut.get(`/v1/opt-outs?number=${encodeURIComponent(number)}`)).body.data;
  const forget = (number: string) => cleanup.push(() => optOut.delete(`/v1/opt-outs/${encodeURIComponent(number)}`));
  const received = async (to: string) => (await simMessages(sim)).filter((m) => m.to === to);

  it('a STOP keyword reaches intake within a second of being recorded, is confirmed once, and START undoes it', async () => {
    const number = freshNumber();
    forget(number);
    await inbound(sim, dlrIngest, number, SENDER, ' Stop ');
    await waitFor('the opt-out entry', async () => (await entries(number)).length === 1, 30_000);
    const recordedAt = Date.now();
    await waitFor('intake to refuse', async () => (await send(number, SENDER)).status === 422, 5_000);
    expect(Date.now() - recordedAt).toBeLessThan(1000);
    expect((await send(number, SENDER)).body).toMatchObject({ error: { code: 'RECIPIENT_OPTED_OUT' } });
    const confirmation = await waitFor('the confirmation', async () => (await received(number))[0], 30_000);
    expect(confirmation).toMatchObject({ from: SENDER });
    expect(confirmation.body).toContain('no more messages');

    await inbound(sim, dlrIngest, number, SENDER, 'START');
    await waitFor('the re-subscription', async () => (await send(number, SENDER)).status === 202, 30_000);
    await waitFor('two confirmations', async () => (await received(number)).length >= 2, 30_000);
  }, 120_000);

  it('a STOP racing 100 queued messages: none reaches the provider later than a second after it was recorded', async () => {
    const number = freshNumber();
    forget(number);
    const knobs = (value: object) => stack.knobs('twilio', value);
    // A sender of its own, limited to 20 segments/s, paces the queue: 100 messages take ~5 s, so the STOP
    // lands while most are still waiting for their slot, however fast the rest of the pipeline is (several
    // calls per sender are in flight at once, so the provider's latency alone does not queue them).
    const created = await stack.serviceClient('router').post('/v1/numbers', {
      number: RACE_SENDER,
      provider: 'twilio',
      country: 'US',
      type: 'longcode',
      segmentsPerSecond: 20,
    });
    expect(created.status).toBe(201);
    await knobs({ latencyMs: 30 });
    try {
      const ids = await Promise.all(
        Array.from({ length: 100 }, async () => (await send(number, RACE_SENDER)).body['id']),
      );
      const hellos = async () => (await received(number)).filter((m) => m.body === 'hello');
      await waitFor('the first sends', async () => (await hellos()).length >= 5, 30_000);
      await inbound(sim, dlrIngest, number, RACE_SENDER, 'STOP');
      await waitFor('the opt-out entry', async () => (await entries(number)).length === 1, 30_000);
      const recordedAt = Date.now();
      const finals = await Promise.all(ids.map((id) => intake.waitForMessage(id, isFinalMessage, 60_000)));
      const failed = finals.filter((m) => m.status === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.map((m) => m.errorCode)).toEqual(failed.map(() => 'RECIPIENT_OPTED_OUT'));
      const reached = await hellos();
      expect(reached).toHaveLength(100 - failed.length);
      expect(reached.filter((m) => Date.parse(m.createdAt) > recordedAt + 1000)).toEqual([]);
    } finally {
      await fetch(`${stack.topology.simulatorUrl}/reset`, { method: 'POST', headers: stack.topology.simulatorAuth });
    }
  }, 120_000);

  it('a provider-reported opt-out is recorded and stops later sends', async () => {
    const number = freshNumber();
    forget(number);
    await stack.knobs('twilio', { errorRate: { optedOut: 1 } });
    try {
      const accepted = await send(number, SENDER);
      const message = await intake.waitForMessage(accepted.body['id'], isFinalMessage, 30_000);
      expect(message).toMatchObject({ status: 'undelivered', errorCode: '21610' });
    } finally {
      await fetch(`${stack.topology.simulatorUrl}/reset`, { method: 'POST', headers: stack.topology.simulatorAuth });
    }
    await waitFor('the provider opt-out', async () => (await entries(number)).length === 1, 30_000);
    // The message's account, every sender of it (the default scope).
    expect(await entries(number)).toEqual([
      expect.objectContaining({ source: 'provider', scope: 'account', sender: null, everyAccount: false }),
    ]);
    await waitFor('intake to refuse', async () => (await send(number, SENDER)).status === 422, 5_000);
  }, 120_000);

  it('masks a pair: inbound both ways is forwarded masked, and intake resolves a send to the masked number', async () => {
    const [a, b] = [freshNumber(), freshNumber()];
    const created = await masking.post('/v1/masks', { partyA: a, partyB: b, ttlSeconds: 600 });
    expect(created.status).toBe(201);
    const mask = created.body;
    cleanup.push(() => masking.delete(`/v1/masks/${mask.id}`));

    await inbound(sim, dlrIngest, a, mask.partyA.maskedNumber, 'A to B');
    expect(await waitFor('A → B', async () => (await received(b))[0], 30_000)).toMatchObject({
      from: mask.partyB.maskedNumber,
      body: 'A to B',
    });
    await inbound(sim, dlrIngest, b, mask.partyB.maskedNumber, 'B to A');
    expect(await waitFor('B → A', async () => (await received(a))[0], 30_000)).toMatchObject({
      from: mask.partyA.maskedNumber,
      body: 'B to A',
    });

    const viaIntake = await waitFor(
      'intake to know the session',
      async () => {
        const answer = await intake.post('/v1/messages', { to: mask.partyA.maskedNumber, from: a, body: 'resolved' });

        return answer.status === 202 ? answer : null;
      },
      10_000,
    );
    expect(viaIntake.body).toMatchObject({ to: b, from: mask.partyB.maskedNumber });

    // A participant's STOP is the gateway's: recorded for the session's account, confirmed from the
    // masked number, and not forwarded to the other party.
    forget(a);
    await inbound(sim, dlrIngest, a, mask.partyA.maskedNumber, 'STOP');
    const confirmation = await waitFor(
      'the STOP confirmation',
      async () => (await received(a)).find((m) => m.body.includes('no more messages')),
      30_000,
    );
    expect(confirmation.from).toBe(mask.partyA.maskedNumber);
    expect(await entries(a)).toEqual([expect.objectContaining({ source: 'keyword', everyAccount: false })]);
    expect((await received(b)).map((m) => m.body)).not.toContain('STOP');

    expect((await masking.delete(`/v1/masks/${mask.id}`)).status).toBe(200);
    await waitFor(
      'intake to learn the close',
      async () =>
        (await intake.post('/v1/messages', { to: mask.partyA.maskedNumber, from: a, body: 'x' })).status === 422,
      10_000,
    );
  }, 120_000);
});
