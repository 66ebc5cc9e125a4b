import { GatewayClient } from '@sms/testing';
import { keyForAccount, startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { inbound, simMessages, sleep, waitFor } from '@sms/testing-scenarios';

jest.setTimeout(60_000);

/** The default embedded pool (MASK_POOL_NUMBERS). */
const POOL = ['+12025550160', '+12025550161', '+12025550162'];
let nextParty = 300;
const party = () => `+1415555${String(nextParty++).padStart(4, '0')}`;

interface Mask {
  id: string;
  status: string;
  expiresAt: string;
  partyA: { number: string; maskedNumber: string };
  partyB: { number: string; maskedNumber: string };
}

describe('embedded gateway: number masking', () => {
  let gateway: EmbeddedGateway;
  let client: GatewayClient;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway({
      MASK_SWEEP_INTERVAL_MS: '200',
      MASK_STRANGER_REPLY: 'Unknown conversation',
    });
    client = new GatewayClient(gateway.url, gateway.auth);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  beforeEach(async () => {
    await client.raw('POST', '/sim/reset');
  });

  const createMask = async (partyA: string, partyB: string, extra: object = {}) => {
    const answer = await client.post('/v1/masks', { partyA, partyB, contextId: 'order-42', ...extra });
    expect(answer.status).toBe(201);

    return answer.body;
  };
  const mo = (from: string, to: string, body: string) => inbound(client, gateway.url, from, to, body);
  const received = async (to: string) => (await simMessages(client)).filter((m) => m.to === to);

  it('creates a session per api.md and forwards both ways with the other side masked', async () => {
    const [a, b] = [party(), party()];
    const mask = await createMask(a, b);
    expect(mask).toMatchObject({
      status: 'active',
      contextId: 'order-42',
      partyA: { number: a, maskedNumber: expect.any(String) },
      partyB: { number: b, maskedNumber: expect.any(String) },
    });
    expect(POOL).toEqual(expect.arrayContaining([mask.partyA.maskedNumber, mask.partyB.maskedNumber]));
    expect((await client.get(`/v1/masks/${mask.id}`)).body).toEqual(mask);

    await mo(a, mask.partyA.maskedNumber, 'Where are you?');
    const toB = await waitFor('the forward to B', async () => (await received(b))[0]);
    expect(toB).toMatchObject({ from: mask.partyB.maskedNumber, body: 'Where are you?' });

    await mo(b, mask.partyB.maskedNumber, 'Around the corner');
    const toA = await waitFor('the forward to A', async () => (await received(a))[0]);
    expect(toA).toMatchObject({ from: mask.partyA.maskedNumber, body: 'Around the corner' });
  });

  it('a participant’s STOP is honoured for the session’s account and not forwarded; HELP and START likewise', async () => {
    const [a, b] = [party(), party()];
    const mask = await createMask(a, b);
    await mo(a, mask.partyA.maskedNumber, 'STOP');
    const confirmation = await waitFor('the STOP confirmation', async () => (await received(a))[0]);
    expect(confirmation).toMatchObject({
      from: mask.partyA.maskedNumber,
      body: expect.stringContaining('no more messages'),
    });
    const entries = await client.get(`/v1/opt-outs?number=${encodeURIComponent(a)}`);
    expect(entries.body.data).toEqual([expect.objectContaining({ scope: 'account', everyAccount: false })]);
    // B writes: the forward to A is refused, A having opted out of this account.
    const sent = await client.post('/v1/messages', { to: mask.partyB.maskedNumber, from: b, body: 'Are you there?' });
    expect(sent.body).toMatchObject({ error: { code: 'RECIPIENT_OPTED_OUT' } });
    await mo(a, mask.partyA.maskedNumber, 'HELP');
    await mo(a, mask.partyA.maskedNumber, 'START');
    await waitFor('the HELP and START replies', async () => (await received(a)).length === 3);
    await sleep(300);
    expect(await received(b)).toEqual([]);
  });

  it("another account's keys neither see nor close a session", async () => {
    const mask = await createMask(party(), party());
    const other = new GatewayClient(gateway.url, await keyForAccount(gateway, '0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d'));
    expect((await other.get(`/v1/masks/${mask.id}`)).status).toBe(404);
    const closed = await other.delete(`/v1/masks/${mask.id}`);
    expect(closed.status).toBe(404);
    expect(closed.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await client.get(`/v1/masks/${mask.id}`)).body.status).toBe('active');
    // Nor send into it: the session does not resolve for another account.
    const viaOther = await other.post('/v1/messages', {
      to: mask.partyA.maskedNumber,
      from: mask.partyA.number,
      body: 'x',
    });
    expect(viaOther.body).toMatchObject({ error: { code: 'MASKED_DESTINATION_UNRESOLVED' } });
  });

  it('does not forward a stranger, and answers with the configured reply', async () => {
    const [a, b, stranger] = [party(), party(), party()];
    const mask = await createMask(a, b);
    await mo(stranger, mask.partyA.maskedNumber, 'hello?');
    const reply = await waitFor('the stranger reply', async () => (await received(stranger))[0]);
    expect(reply).toMatchObject({ from: mask.partyA.maskedNumber, body: 'Unknown conversation' });
    expect(await received(a)).toEqual([]);
    expect(await received(b)).toEqual([]);
  });

  it('refuses a fourth session for one person over a pool of three, and reuses numbers across pairs', async () => {
    const a = party();
    const masks = [await createMask(a, party()), await createMask(a, party()), await createMask(a, party())];
    expect(new Set(masks.map((m) => m.partyA.maskedNumber)).size).toBe(3);
    const refused = await client.post('/v1/masks', { partyA: a, partyB: party() });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: 'NO_MASK_NUMBER_AVAILABLE' } });
    // Other people still get numbers from the same pool at the same time.
    await createMask(party(), party());

    const closed = await client.raw<Mask>('DELETE', `/v1/masks/${masks[0]?.id}`);
    expect(closed.body).toMatchObject({ status: 'closed' });
    await createMask(a, party());
  });

  it('closes an expired session (sweep), forwards nothing for it, and frees its number', async () => {
    const [a, b] = [party(), party()];
    const mask = await createMask(a, b, { ttlSeconds: 1 });
    await createMask(a, party());
    await createMask(a, party());
    expect((await client.post('/v1/masks', { partyA: a, partyB: party() })).status).toBe(422);
    // The sweep, not a read, closes it: wait without touching the session, then look.
    await sleep(1500);
    expect((await client.post('/v1/masks', { partyA: a, partyB: party() })).status).toBe(201);
    expect((await client.get(`/v1/masks/${mask.id}`)).body.status).toBe('closed');
    await mo(a, mask.partyA.maskedNumber, 'too late');
    await sleep(400);
    expect(await received(b)).toEqual([]);
  });

  it('a closed session forwards nothing', async () => {
    const [a, b] = [party(), party()];
    const mask = await createMask(a, b);
    await client.delete(`/v1/masks/${mask.id}`);
    await mo(b, mask.partyB.maskedNumber, 'anyone?');
    await sleep(400);
    expect(await received(a)).toEqual([]);
  });

  it('forwards take the normal send path: an opt-out of the masked sender stops them', async () => {
    const [a, b] = [party(), party()];
    const mask = await createMask(a, b);
    await client.post('/v1/opt-outs', { number: b, sender: mask.partyB.maskedNumber });
    await mo(a, mask.partyA.maskedNumber, 'blocked');
    await sleep(500);
    expect(await received(b)).toEqual([]);
  });

  it('POST /v1/messages to a masked number goes to the other party when `from` names a participant', async () => {
    const [a, b, stranger] = [party(), party(), party()];
    const mask = await createMask(a, b);
    const sent = await waitFor('the directory to learn the session', async () => {
      const answer = await client.post('/v1/messages', {
        to: mask.partyA.maskedNumber,
        from: a,
        body: 'on behalf of A',
      });

      return answer.status === 202 ? answer : null;
    });
    expect(sent.body).toMatchObject({ to: b, from: mask.partyB.maskedNumber, country: 'US' });
    const toB = await waitFor('the message to B', async () => (await received(b))[0]);
    expect(toB).toMatchObject({ from: mask.partyB.maskedNumber, body: 'on behalf of A' });

    const unresolved = (body: object) =>
      client.post('/v1/messages', { to: mask.partyA.maskedNumber, body: 'x', ...body });
    expect((await unresolved({})).body).toMatchObject({
      error: { code: 'MASKED_DESTINATION_UNRESOLVED', field: 'to' },
    });
    expect((await unresolved({ from: stranger })).body).toMatchObject({
      error: { code: 'MASKED_DESTINATION_UNRESOLVED' },
    });
    await client.delete(`/v1/masks/${mask.id}`);
    await waitFor('the directory to learn the close', async () => (await unresolved({ from: a })).status === 422, 1000);
  });

  it('refuses bad input and unknown ids with stable codes; the endpoints are in the OpenAPI document', async () => {
    const a = party();
    expect((await client.post('/v1/masks', { partyA: a, partyB: a })).body).toMatchObject({
      error: { code: 'SAME_PARTIES' },
    });
    expect((await client.post('/v1/masks', { partyA: '12', partyB: a })).body).toMatchObject({
      error: { code: 'INVALID_PHONE_NUMBER', field: 'partyA' },
    });
    expect((await client.post('/v1/masks', { partyA: a, partyB: party(), ttlSeconds: 0 })).body).toMatchObject({
      error: { code: 'INVALID_TTL' },
    });
    expect((await client.rawPost('/v1/masks', { partyA: a, partyB: party(), x: 1 })).body).toMatchObject({
      error: { code: 'UNKNOWN_FIELD' },
    });
    expect((await client.get('/v1/masks/01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9')).status).toBe(404);
    expect((await client.delete('/v1/masks/nope')).status).toBe(404);
    const openapi = await client.rawGet<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/masks', '/v1/masks/{id}']));
  });
});
