import type { Bus, BusRecord, ConsumedRecord } from '@sms/bus';
import { DEFAULT_ACCOUNT_ID, EVERY_ACCOUNT, TOPICS } from '@sms/contracts';
import { keywordSet } from '@sms/opt-out-registry';
import type { RecentSenders } from '../accounts/recent-senders';
import type { ChangeRequest, OptInReach, OptOutLedger } from '../ledger/opt-out.ledger';
import type { OptOutDefaults, OptOutSettingsStore, OptOutSettingsView } from '../settings/opt-out-settings';
import { OptOutConsumer } from './opt-out.consumer';

/**
 * The scope matrix as decisions: which (account, sender) reach each keyword and provider report asks the
 * ledger for, and what the confirmation says. The ledger, settings and index are stand-ins here; the
 * integration spec runs the same matrix against MariaDB and Kafka.
 */
const ACME = '6a4f1c1e-0d39-4c43-9a51-0b3a1e7d2f10';
const [R, S1, POOL] = ['+447400123456', '+12025550142', '+12025550160'];
const DEFAULTS: OptOutDefaults = {
  scope: 'account',
  stopReply: 'stop {name}',
  stopSenderReply: 'stop this number of {name}',
  stopAllReply: 'stop all',
  startReply: 'start {name}',
  helpReply: 'help {name}',
};

function setup(options: { known?: string | null; masked?: string | null; settings?: Partial<OptOutSettingsView> }) {
  const optOuts: ChangeRequest[] = [];
  const optIns: OptInReach[] = [];
  const replies: Record<string, unknown>[] = [];
  const ledger = {
    optOut: jest.fn(async (request: ChangeRequest) => {
      optOuts.push(request);

      return true;
    }),
    optIn: jest.fn(async (_request: unknown, reach: OptInReach) => {
      optIns.push(reach);

      return 1;
    }),
    exempt: jest.fn(async () => undefined),
    coveredByAnother: jest.fn(async () => false),
  };
  const settings = {
    of: async (): Promise<OptOutSettingsView> => ({
      scope: 'account',
      displayName: null,
      stopReply: DEFAULTS.stopReply,
      stopSenderReply: DEFAULTS.stopSenderReply,
      startReply: DEFAULTS.startReply,
      helpReply: DEFAULTS.helpReply,
      ...options.settings,
    }),
  };
  const recent = { accountOf: async () => options.known ?? null, record: jest.fn(async () => undefined) };
  const bus = {
    publish: async (records: readonly BusRecord[]) => {
      replies.push(...records.filter((r) => r.topic === TOPICS.send).map((r) => r.value as Record<string, unknown>));
    },
  };
  const sut = new OptOutConsumer(
    ledger as unknown as OptOutLedger,
    bus as unknown as Bus,
    { keywords: keywordSet('', ''), defaults: DEFAULTS },
    settings as unknown as OptOutSettingsStore,
    recent as unknown as RecentSenders,
    { accountOfSession: () => options.masked ?? null },
  );
  const text = (body: string, to = S1) =>
    sut.handle({
      topic: TOPICS.inbound,
      partition: 0,
      offset: '0',
      key: R,
      headers: {},
      attempt: 1,
      value: {
        webhookId: 'w',
        provider: 'twilio',
        providerMessageId: 'SM1',
        from: R,
        to,
        body,
        receivedAt: '2026-12-01T10:00:00.000Z',
      },
    } satisfies ConsumedRecord);

  return { sut, text, optOuts, optIns, replies, ledger, recent };
}

describe('opt-out scope matrix', () => {
  it('STOP with a known account and the default scope: every sender of that account', async () => {
    const { text, optOuts, replies } = setup({ known: ACME, settings: { displayName: 'Acme' } });
    await text('STOP');
    expect(optOuts).toEqual([expect.objectContaining({ accountId: ACME, number: R, sender: null, source: 'keyword' })]);
    expect(replies).toEqual([expect.objectContaining({ to: R, from: S1, body: 'stop Acme', accountId: ACME })]);
  });

  it('STOP under the per-sender setting: the number texted only, with the per-sender text', async () => {
    const { text, optOuts, replies } = setup({ known: ACME, settings: { scope: 'sender' } });
    await text('stop');
    expect(optOuts).toEqual([expect.objectContaining({ accountId: ACME, sender: S1 })]);
    expect(replies[0]?.['body']).toBe('stop this number of this service');
  });

  it('STOPALL: every account, every sender, whatever the account', async () => {
    const { text, optOuts, replies } = setup({ known: ACME, settings: { scope: 'sender' } });
    await text('STOPALL');
    expect(optOuts).toEqual([expect.objectContaining({ accountId: EVERY_ACCOUNT, sender: null })]);
    expect(replies[0]).toEqual(expect.objectContaining({ body: 'stop all' }));
    // Intake requires an account on sms.send.v1: a reply that blocks no single account goes out in the default.
    expect(replies[0]?.['accountId']).toBe(DEFAULT_ACCOUNT_ID);
  });

  it('STOP with no account known: every account (fail closed), and the reason says so', async () => {
    const { text, optOuts } = setup({ known: null });
    await text('STOP');
    expect(optOuts).toEqual([expect.objectContaining({ accountId: EVERY_ACCOUNT, sender: null })]);
    expect(optOuts[0]?.reason).toContain('every account blocked');
  });

  it('a masked session’s account wins over the index', async () => {
    const { text, optOuts } = setup({ known: null, masked: ACME });
    await text('STOP', POOL);
    expect(optOuts).toEqual([expect.objectContaining({ accountId: ACME })]);
  });

  it('START undoes the account’s and every-account entries for the number texted; unknown: every-account only', async () => {
    const known = setup({ known: ACME });
    await known.text('START');
    expect(known.optIns).toEqual([{ accountIds: [ACME, EVERY_ACCOUNT], senders: [S1, null] }]);
    expect(known.replies[0]).toEqual(expect.objectContaining({ body: 'start this service', accountId: ACME }));
    const unknown = setup({ known: null });
    await unknown.text('unstop');
    expect(unknown.optIns).toEqual([{ accountIds: [EVERY_ACCOUNT], senders: [S1, null] }]);
  });

  it('a STOP a wider entry already covers changes nothing and is not confirmed', async () => {
    const { text, optOuts, replies, ledger } = setup({ known: ACME });
    ledger.coveredByAnother.mockResolvedValueOnce(true);
    await text('STOP');
    expect(optOuts).toEqual([]);
    expect(replies).toEqual([]);
  });

  it('a provider-reported opt-out: the event’s account, with its scope; none named: the default account', async () => {
    const report = (accountId?: string) => ({
      topic: TOPICS.status,
      partition: 0,
      offset: '0',
      key: 'm',
      headers: {},
      attempt: 1,
      value: {
        eventId: '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9',
        messageId: '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d8',
        kind: 'failed',
        source: 'send-worker',
        provider: 'twilio',
        errorCode: '21610',
        errorClass: 'opted_out',
        recipient: R,
        sender: S1,
        occurredAt: '2026-12-01T10:00:00.000Z',
        ...(accountId ? { accountId } : {}),
      },
    });
    const named = setup({ known: null, settings: { scope: 'sender' } });
    await named.sut.handle(report(ACME));
    expect(named.optOuts).toEqual([expect.objectContaining({ accountId: ACME, sender: S1, source: 'provider' })]);
    // A status record from before accounts decodes in the default account (records now always name theirs).
    const unknown = setup({ known: null });
    await unknown.sut.handle(report());
    expect(unknown.optOuts).toEqual([expect.objectContaining({ accountId: DEFAULT_ACCOUNT_ID, sender: null })]);
    expect(named.replies).toEqual([]);
  });

  it('feeds the index from dispatches, except the dispatch of its own unattributed reply', async () => {
    const { sut, text, replies, recent } = setup({ known: null });
    await text('STOP');
    const dispatch = (messageId: string) => ({
      topic: TOPICS.dispatch,
      partition: 0,
      offset: '0',
      key: S1,
      headers: {},
      attempt: 1,
      value: {
        messageId,
        attempt: 1,
        provider: 'twilio',
        from: S1,
        to: R,
        body: 'x',
        encoding: 'GSM-7',
        segments: 1,
        validitySeconds: null,
        price: null,
        currency: null,
        routeReason: 'r',
        routedAt: '2026-12-01T10:00:00.000Z',
      },
    });
    await sut.handle(dispatch(replies[0]?.['id'] as string));
    expect(recent.record).not.toHaveBeenCalled();
    await sut.handle(dispatch('01a200f9-a8ce-71f8-a6f3-e2e9e67e11d7'));
    expect(recent.record).toHaveBeenCalledWith(S1, R, '00000000-0000-4000-8000-000000000000', expect.any(Date));
  });
});
