import { CallbackReceiver, GatewayClient, isFinalMessage } from '@sms/testing';
import { inbound, waitFor } from './opt-out.harness';

/** Where a needle was found: one column of one row of one table of one store. */
export interface StoredHit {
  readonly store: string;
  readonly table: string;
  readonly column: string;
  readonly needle: string;
}

export interface ErasureScenarioContext {
  /** A key of the default account with every scope, operator included (only operators may erase). */
  readonly admin: GatewayClient;
  /** A key of the default account with send and read, not admin. */
  readonly nonAdmin: GatewayClient;
  /** Where `/v1/masks` is served with the admin key (the embedded gateway, or the masking service). */
  readonly masking: GatewayClient;
  /** The simulator's control client (posts inbound messages as Twilio would). */
  readonly sim: GatewayClient;
  /** Where the simulator posts inbound webhooks. */
  readonly webhookBase: string;
  /** Every string column of every table of every store of the gateway that holds any of `needles`. */
  scan(needles: readonly string[]): Promise<StoredHit[]>;
  /**
   * Restarts the services that check opt-outs from the stored ledger (their in-memory replicas are rebuilt), so
   * the check after an erasure relies on the token and not on what a replica remembered of the number.
   */
  restart(): Promise<void>;
}

/** Router seed number (a US longcode the simulated Twilio serves), so replies to it pass intake's rules. */
const SENDER = '+12025550142';
/** GB mobiles of this suite only: the person erased, and people whose data must stay. */
const PERSON = '+447400123471';
const OTHER = '+447400123482';
const MASK_PARTNER = '+447400123493';
const PERSON_BODY = 'Your erasure-suite code is 918273';
const REPLY_BODY = 'erasure-suite reply from the person';
const OTHER_BODY = 'erasure-suite text for someone else';
/**
 * The tables the seeding below must reach with the person's number, so a clean scan means something. Status
 * callbacks in the gateway's JSON name no number (only the Twilio-compatible format's do); the Twilio format's
 * rows are covered by the dlr-processor eraser's own test.
 */
const SEEDED_TABLES = [
  'sms_messages',
  'inbound_messages',
  'inbound_webhooks',
  'webhook_deliveries',
  'opt_outs',
  'opt_out_audit',
  'opt_out_recent_senders',
  'number_masks',
  'mask_assignments',
];

type ErasureBody = {
  id: string;
  status: string;
  numberHash: string;
  slices: { slice: string; status: string; stores: Record<string, number> }[];
};

/**
 * Issue #22 part 3, end to end: seeds the person's number and texts in every store (a message with receipts,
 * a status callback and account webhooks, an inbound reply, a mask session, an opt-out), erases, scans every
 * string column of every table for the number (E.164 and the providers' form without '+') and the texts, and
 * checks the opt-out still holds, other people's data is untouched, and a second erasure changes nothing.
 */
export function describeErasureScenario(context: () => ErasureScenarioContext): void {
  const receiver = new CallbackReceiver();

  beforeAll(async () => {
    await receiver.start();
  });

  afterAll(async () => {
    await receiver.stop();
  });

  const digits = (number: string) => number.slice(1);
  const personNeedles = [PERSON, digits(PERSON), PERSON_BODY, REPLY_BODY];
  const erase = (client: GatewayClient, body: unknown) => client.rawPost<ErasureBody>('/v1/privacy/erasures', body);
  const completed = async (id: string) =>
    waitFor(
      'the erasure to complete',
      async () => {
        const answer = await context().admin.rawGet<ErasureBody>(`/v1/privacy/erasures/${id}`);

        return answer.body.status === 'completed' ? answer.body : null;
      },
      30_000,
    );

  it('refuses a key without operator (403) and a number that is not E.164 (400 INVALID_PHONE_NUMBER)', async () => {
    const { admin, nonAdmin } = context();
    expect((await erase(nonAdmin, { number: PERSON })).status).toBe(403);
    // An account's admin cannot erase: the erasure would reach other accounts' data.
    const accountAdminKey = await admin.post('/v1/api-keys', { name: 'erasure admin', scopes: ['admin'] });
    expect(accountAdminKey.status).toBe(201);
    const accountAdmin = new GatewayClient(admin.baseUrl, { authorization: `Bearer ${accountAdminKey.body.key}` });
    const refused = await erase(accountAdmin, { number: PERSON });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    for (const number of ['07400 123471', '447400123471', '+44 7400 123471', '+0123456789', 42, '']) {
      const answer = await erase(admin, { number });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'INVALID_PHONE_NUMBER', field: 'number' } });
    }
    const extra = await erase(admin, { number: PERSON, reason: 'x' });
    expect(extra.status).toBe(400);
    expect(extra.body).toMatchObject({ error: { code: 'UNKNOWN_FIELD' } });
    expect((await context().admin.rawGet('/v1/privacy/erasures/not-an-id')).status).toBe(404);
  });

  it("removes the person's number and texts from every store, keeps the opt-out and other people's data", async () => {
    const { admin, sim, webhookBase } = context();
    const hook = await admin.rawPost<{ id: string }>('/v1/webhooks', {
      url: receiver.url('/hooks'),
      events: ['message.status', 'message.inbound'],
    });
    expect(hook.status).toBe(201);
    const sent: Record<string, string> = {};
    for (const [to, body] of [
      [PERSON, PERSON_BODY],
      [OTHER, OTHER_BODY],
    ] as const) {
      const accepted = await admin.rawPost<{ id: string }>('/v1/messages', {
        to,
        body,
        from: SENDER,
        callbackUrl: receiver.url('/status'),
      });
      expect(accepted.status).toBe(202);
      sent[to] = accepted.body.id;
      expect((await admin.waitForMessage(accepted.body.id, isFinalMessage)).status).toBe('delivered');
      await receiver.waitFor((c) => c.path === '/status' && c.body.includes(accepted.body.id));
    }
    const mask = await context().masking.rawPost('/v1/masks', { partyA: PERSON, partyB: MASK_PARTNER });
    expect(mask.status).toBe(201);
    await inbound(sim, webhookBase, PERSON, SENDER, REPLY_BODY);
    await receiver.waitFor((c) => c.path === '/hooks' && c.body.includes(REPLY_BODY));
    await inbound(sim, webhookBase, PERSON, SENDER, 'STOP');
    await waitFor(
      'the opt-out to reach intake',
      async () => (await admin.rawPost('/v1/messages', { to: PERSON, body: 'hello', from: SENDER })).status === 422,
    );
    // Every message to the person (the STOP confirmation too) has its receipt: a receipt arriving after the
    // erasure is new data (docs/privacy.md), stored until the raw-receipt retention or the next erasure.
    await waitFor('every message to the person to be final', async () => {
      const page = await admin.rawGet<{ data: { status: string }[] }>(
        `/v1/messages?to=${encodeURIComponent(PERSON)}&limit=100`,
      );

      return (
        page.body.data.length >= 2 &&
        page.body.data.every((m) => ['delivered', 'undelivered', 'failed'].includes(m.status))
      );
    });
    const before = await context().scan(personNeedles);
    const seeded = new Set(before.filter((hit) => hit.needle === digits(PERSON)).map((hit) => hit.table));
    expect([...seeded].sort()).toEqual(expect.arrayContaining(SEEDED_TABLES));

    const accepted = await erase(admin, { number: PERSON });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'pending', numberHash: expect.stringMatching(/^e:/) });
    const done = await completed(accepted.body.id);
    const rows = (slice: string) => done.slices.find((s) => s.slice === slice)?.stores ?? {};
    // The message sent and the gateway's own replies to the person (the STOP confirmation among them).
    expect(rows('intake')['sms_messages']).toBeGreaterThanOrEqual(2);
    expect(rows('intake')['inbound_messages']).toBeGreaterThanOrEqual(2);
    expect(rows('opt-out')['opt_outs']).toBeGreaterThanOrEqual(1);
    expect(rows('masking')['number_masks']).toBe(1);
    expect(rows('dlr-ingest')['inbound_webhooks']).toBeGreaterThanOrEqual(2);
    expect(rows('intake')['webhook_deliveries']).toBeGreaterThanOrEqual(1);

    expect(await context().scan(personNeedles)).toEqual([]);
    // Other people's data is where it was.
    const others = await context().scan([digits(OTHER), OTHER_BODY, digits(MASK_PARTNER)]);
    expect(new Set(others.map((hit) => hit.needle))).toEqual(
      new Set([digits(OTHER), OTHER_BODY, digits(MASK_PARTNER)]),
    );
    expect(others.some((hit) => hit.table === 'sms_messages' && hit.needle === OTHER_BODY)).toBe(true);
    // Counts and statuses stay: the erased message is still there, delivered, under the token.
    const erased = await admin.rawGet<{ to: string; status: string; body?: string }>(`/v1/messages/${sent[PERSON]}`);
    expect(erased.body).toMatchObject({ to: done.numberHash, status: 'delivered' });

    // The opt-out still blocks a new send, also once the checking replicas are rebuilt from the ledger.
    await context().restart();
    await waitFor(
      'the opt-out ledger to be read again',
      async () => {
        const answer = await context().admin.rawPost<{ error?: { code: string } }>('/v1/messages', {
          to: PERSON,
          body: 'after the erasure',
          from: SENDER,
        });
        if (answer.status === 202) {
          throw new Error('a send to an erased person who had opted out was accepted');
        }

        return answer.body.error?.code === 'RECIPIENT_OPTED_OUT';
      },
      30_000,
    );

    // Erasing again works and changes nothing.
    const again = await erase(context().admin, { number: PERSON });
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(accepted.body.id);
    const second = await completed(again.body.id);
    expect(second.numberHash).toBe(done.numberHash);
    for (const slice of second.slices) {
      expect({ slice: slice.slice, rows: Object.values(slice.stores).filter((n) => n !== 0) }).toEqual({
        slice: slice.slice,
        rows: [],
      });
    }
  });
}
