/**
 * The cost ledger (docs/billing.md) on MariaDB (the real intake migrations, a database of this file's own)
 * and on SQLite (the embedded mode's schema from the entities): charges written from status events by the
 * StatusApplier, replays that do not double count, a provider's price replacing an estimate, a fallback
 * billed twice, and the usage sums.
 */
import { randomUUID } from 'node:crypto';
import { type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { isMysql } from '@sms/persistence';
import type { BeforeQueryEvent, DataSource, EntitySubscriberInterface } from 'typeorm';
import { INTAKE_MARIADB, INTAKE_SQLITE } from '../../test/intake-engines';
import { SEED_ACCOUNT, seedMessage, statusEvent } from '../../test/intake-messages';
import { LedgerWriter } from '../ledger/ledger.writer';
import { StatusApplier } from '../status/status-applier.service';
import { chargesOf } from './charge-views';
import { Usage } from './usage';

jest.setTimeout(60_000);

const POLICY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 } as const;
const ACCOUNT = SEED_ACCOUNT;
const OTHER_ACCOUNT = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const NOW = new Date('2030-01-02T03:04:05.678Z');

/** Counts the statements that write message_charges, also inside a packed query (ADR 0026). */
class ChargeStatements implements EntitySubscriberInterface {
  count = 0;

  beforeQuery(event: BeforeQueryEvent<unknown>): void {
    this.count += event.query
      .split(';\n')
      .filter((statement) => /^\s*INSERT INTO message_charges/.test(statement)).length;
  }
}

const at = (second: number): string => new Date(NOW.getTime() + second * 1_000).toISOString();

const event = (messageId: string, kind: StatusEventKind, overrides: Partial<StatusChangedV1> = {}) =>
  statusEvent(messageId, kind, { occurredAt: at(1), ...overrides });

/** The send-worker's `sent` with the route's estimate: `unit` per segment for `segments` segments. */
const estimatedSent = (messageId: string, unit: string, total: string, overrides: Partial<StatusChangedV1> = {}) =>
  event(messageId, StatusEventKind.Sent, {
    providerMessageId: `SM-${messageId}`,
    sender: '+14155550100',
    cost: total,
    currency: 'USD',
    costEstimated: true,
    unitPrice: unit,
    ...overrides,
  });

describe.each([INTAKE_MARIADB, INTAKE_SQLITE])('the cost ledger on $name', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let writer: LedgerWriter;
  let statements: ChargeStatements;

  beforeAll(async () => {
    ({ dataSource, close } = await engine.open());
    writer = new LedgerWriter(dataSource);
    statements = new ChargeStatements();
    dataSource.subscribers.push(statements);
  });

  afterAll(async () => {
    await writer?.drain();
    await close?.();
  });

  const newMessage = (body = 'Your code is 123456', accountId = ACCOUNT, to = '+447400123456') =>
    seedMessage(writer, { request: { to, body }, accountId, createdAt: NOW });

  const applier = () =>
    new StatusApplier(
      dataSource,
      POLICY,
      () => NOW,
      () => 0.5,
    );

  const chargeList = async (id: string) => (await chargesOf(dataSource, [id])).get(id) ?? [];

  const ledgerCost = async (id: string) =>
    (
      await dataSource.query<{ cost: string | null; currency: string | null }[]>(
        'SELECT cost, currency FROM sms_messages WHERE id = ?',
        [id],
      )
    )[0];

  it("keeps a send result's estimate as the attempt's charge, with the message's segments", async () => {
    // 161 GSM-7 characters: two segments.
    const id = await newMessage('x'.repeat(161));
    const sut = applier();

    expect(await sut.apply(estimatedSent(id, '0.0079', '0.0158'))).toBe('applied');

    expect(await chargeList(id)).toEqual([
      {
        attempt: 1,
        provider: 'twilio',
        sender: '+14155550100',
        country: 'GB',
        network: null,
        segments: 2,
        unitPrice: '0.0079',
        amount: '0.0158',
        currency: 'USD',
        source: 'rate',
        final: false,
        chargedAt: at(1),
      },
    ]);
  });

  it('counts a redelivered or replayed sent once', async () => {
    const id = await newMessage();
    const sut = applier();
    const sent = estimatedSent(id, '0.04', '0.04');

    await sut.apply(sent);
    expect(await sut.apply(sent)).toBe('duplicate');
    // The same attempt's result again under another event id (a replayed partition): still one charge.
    expect(await sut.apply({ ...sent, eventId: randomUUID() })).toBe('recorded');

    expect((await chargeList(id)).map((charge) => charge.amount)).toEqual(['0.04']);
  });

  it("replaces the estimate with the provider's price from a receipt, and a late estimate does not undo it", async () => {
    const id = await newMessage();
    const sut = applier();
    await sut.apply(estimatedSent(id, '0.04', '0.04'));

    await sut.apply(
      event(id, StatusEventKind.Delivered, {
        source: StatusEventSource.Dlr,
        attempt: null,
        providerMessageId: `SM-${id}`,
        cost: '0.0375',
        currency: 'USD',
        costEstimated: false,
        occurredAt: at(5),
      }),
    );
    await sut.apply({ ...estimatedSent(id, '0.04', '0.04'), eventId: randomUUID() });

    expect(await chargeList(id)).toEqual([
      expect.objectContaining({ amount: '0.0375', source: 'provider', final: true, unitPrice: null }),
    ]);
    expect(await ledgerCost(id)).toEqual({ cost: '0.0375', currency: 'USD' });
  });

  it('takes a provider-reported price at send time as final, and an estimate never replaces it', async () => {
    const id = await newMessage();
    const sut = applier();
    await sut.apply(
      event(id, StatusEventKind.Sent, { provider: 'vonage', cost: '0.0333', currency: 'EUR', costEstimated: false }),
    );
    await sut.apply(
      event(id, StatusEventKind.Sent, { provider: 'vonage', cost: '0.05', currency: 'EUR', costEstimated: true }),
    );

    expect(await chargeList(id)).toEqual([
      expect.objectContaining({
        amount: '0.0333',
        currency: 'EUR',
        source: 'provider',
        final: true,
        unitPrice: '0.0333',
      }),
    ]);
  });

  it('bills both attempts of a receipt-driven fallback, and the ledger cost is their sum', async () => {
    const id = await newMessage();
    const sut = applier();
    await sut.apply(estimatedSent(id, '0.04', '0.04'));
    // The first provider accepted it, then its receipt reported a failure another route could fix.
    await sut.apply(
      event(id, StatusEventKind.Undelivered, {
        source: StatusEventSource.Dlr,
        attempt: null,
        providerMessageId: `SM-${id}`,
        errorCode: '30003',
        errorClass: 'transient',
        fallbackEligible: true,
        occurredAt: at(3),
      }),
    );
    await sut.apply(estimatedSent(id, '0.035', '0.035', { attempt: 2, provider: 'sinch', occurredAt: at(4) }));

    expect((await chargeList(id)).map(({ attempt, provider, amount }) => ({ attempt, provider, amount }))).toEqual([
      { attempt: 1, provider: 'twilio', amount: '0.04' },
      { attempt: 2, provider: 'sinch', amount: '0.035' },
    ]);
    expect(await ledgerCost(id)).toEqual({ cost: '0.075', currency: 'USD' });
  });

  it('bills nothing for a submit the provider refused', async () => {
    const id = await newMessage();
    await applier().apply(
      event(id, StatusEventKind.Retry, { errorCode: 'TIMEOUT', errorClass: 'transient', ambiguous: false }),
    );

    expect(await chargeList(id)).toEqual([]);
  });

  it("writes a batch's charges with one statement on MySQL (one per charge on SQLite)", async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => newMessage()));
    const sut = applier();
    const filler = await newMessage();
    // While the committer's slots are busy with the filler's events, the others queue up as one batch.
    const slots = isMysql(dataSource) ? 2 : 1;
    const fillers = Array.from({ length: slots }, () => sut.apply(event(filler, StatusEventKind.Sending)));
    const before = statements.count;
    const applied = Promise.all(ids.map((id) => sut.apply(estimatedSent(id, '0.01', '0.01'))));
    await Promise.all(fillers);
    await applied;

    expect(statements.count - before).toBe(isMysql(dataSource) ? 1 : ids.length);
    for (const id of ids) {
      expect((await chargeList(id)).length).toBe(1);
    }
  });

  it('sums usage exactly per group and currency, scoped to the account', async () => {
    const from = new Date('2031-03-01T00:00:00Z');
    const sut = applier();
    const send = async (
      accountId: string,
      to: string,
      provider: string,
      cost: string,
      currency: string,
      day: number,
    ) => {
      const id = await newMessage('Hi', accountId, to);
      await sut.apply(
        estimatedSent(id, cost, cost, {
          provider,
          currency,
          occurredAt: new Date(from.getTime() + day * 86_400_000).toISOString(),
        }),
      );
    };
    // 0.1 + 0.2 drifts in floating point; the sums here must not.
    await send(ACCOUNT, '+447400123456', 'twilio', '0.1', 'USD', 0);
    await send(ACCOUNT, '+447400123457', 'twilio', '0.2', 'USD', 1);
    await send(ACCOUNT, '+33612345678', 'vonage', '0.0333', 'EUR', 1);
    await send(ACCOUNT, '+33612345679', 'twilio', '0.05', 'USD', 1);
    await send(OTHER_ACCOUNT, '+447400123458', 'twilio', '9.99', 'USD', 0);
    const usage = new Usage(dataSource);
    const to = new Date(from.getTime() + 7 * 86_400_000);

    const byProvider = await usage.read({ from, to, groupBy: ['provider'], accountId: ACCOUNT });
    expect(byProvider.data).toEqual([
      { provider: 'twilio', currency: 'USD', amount: '0.35', estimated: '0.35', charges: 3, segments: 3 },
      { provider: 'vonage', currency: 'EUR', amount: '0.0333', estimated: '0.0333', charges: 1, segments: 1 },
    ]);

    const byCountryAndDay = await usage.read({ from, to, groupBy: ['country', 'day'], accountId: ACCOUNT });
    expect(byCountryAndDay.data.map(({ country, day, currency, amount }) => [country, day, currency, amount])).toEqual([
      ['FR', '2031-03-02', 'EUR', '0.0333'],
      ['FR', '2031-03-02', 'USD', '0.05'],
      ['GB', '2031-03-01', 'USD', '0.10'],
      ['GB', '2031-03-02', 'USD', '0.20'],
    ]);

    const everyAccount = await usage.read({ from, to, groupBy: ['account'], accountId: null });
    expect(everyAccount.data.map(({ account, currency, amount }) => [account, currency, amount])).toEqual(
      [
        [ACCOUNT, 'EUR', '0.0333'],
        [ACCOUNT, 'USD', '0.35'],
        [OTHER_ACCOUNT, 'USD', '9.99'],
      ].sort((a, b) => (a.join() < b.join() ? -1 : 1)),
    );

    // The range is [from, to): the first day alone holds one charge of the account's.
    const firstDay = await usage.read({
      from,
      to: new Date(from.getTime() + 86_400_000),
      groupBy: [],
      accountId: ACCOUNT,
    });
    expect(firstDay.data).toEqual([{ currency: 'USD', amount: '0.10', estimated: '0.10', charges: 1, segments: 1 }]);
  });
});
