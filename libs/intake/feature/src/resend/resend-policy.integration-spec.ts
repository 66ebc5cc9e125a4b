/**
 * The overdue re-send policy (ADR 0023) on MariaDB (the real intake migrations) and on SQLite (the embedded
 * mode's schema from the entities): its precedence (account > operator default > RESEND_ON_RECEIPT_TIMEOUT),
 * how soon a change is seen by this replica and by another, and the status applier re-sending an overdue
 * message of the one account the policy enables while the environment leaves it off.
 */
import { MessageClass, type StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import type { DataSource } from 'typeorm';
import { INTAKE_MARIADB, INTAKE_SQLITE } from '../../test/intake-engines';
import { seedMessage, statusEvent } from '../../test/intake-messages';
import { LedgerWriter } from '../ledger/ledger.writer';
import { StatusApplier } from '../status/status-applier.service';
import { envResendPolicy, OPERATOR_SCOPE, ResendPolicyStore } from './resend-policy';

jest.setTimeout(60_000);

const ENABLED_ACCOUNT = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';
const OTHER_ACCOUNT = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const OFF = envResendPolicy([]);
const TRANSACTIONAL = { enabled: true, classes: [MessageClass.Transactional] };

describe.each([INTAKE_MARIADB, INTAKE_SQLITE])('the overdue re-send policy on $name', (engine) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let writer: LedgerWriter;

  beforeAll(async () => {
    ({ dataSource, close } = await engine.open());
    writer = new LedgerWriter(dataSource);
  });

  afterAll(async () => {
    await writer?.drain();
    await close?.();
  });

  beforeEach(async () => {
    await dataSource.query('DELETE FROM resend_policies');
  });

  it('resolves account > operator default > environment, and names who decided', async () => {
    const store = new ResendPolicyStore(dataSource, envResendPolicy(['marketing']));

    expect(await store.effective(ENABLED_ACCOUNT)).toEqual({ enabled: true, classes: ['marketing'], source: 'env' });
    await store.put(OPERATOR_SCOPE, { enabled: false, classes: [MessageClass.Transactional] });
    expect(await store.effective(ENABLED_ACCOUNT)).toEqual({
      enabled: false,
      classes: ['transactional'],
      source: 'operator',
    });
    expect(await store.classesFor(ENABLED_ACCOUNT)).toEqual([]);

    await store.put(ENABLED_ACCOUNT, { enabled: true, classes: [MessageClass.Transactional, MessageClass.Marketing] });
    expect(await store.effective(ENABLED_ACCOUNT)).toEqual({
      enabled: true,
      classes: ['transactional', 'marketing'],
      source: 'account',
    });
    expect(await store.effective(OTHER_ACCOUNT)).toMatchObject({ source: 'operator', enabled: false });

    // A PUT replaces the row; removing it hands the account back to the operator's default.
    await store.put(ENABLED_ACCOUNT, { enabled: false, classes: [] });
    expect(await store.stored(ENABLED_ACCOUNT)).toEqual({ enabled: false, classes: [] });
    expect(await store.remove(ENABLED_ACCOUNT)).toBe(true);
    expect(await store.remove(ENABLED_ACCOUNT)).toBe(false);
    expect(await store.effective(ENABLED_ACCOUNT)).toMatchObject({ source: 'operator' });
    expect(await store.remove(OPERATOR_SCOPE)).toBe(true);
    expect(await store.effective(ENABLED_ACCOUNT)).toMatchObject({ source: 'env', classes: ['marketing'] });
  });

  it("sees its own change at once, and another replica's once its cache time has passed", async () => {
    let now = Date.parse('2030-01-02T03:04:05.000Z');
    const here = new ResendPolicyStore(dataSource, OFF, () => now, 5_000);
    const there = new ResendPolicyStore(dataSource, OFF, () => now, 5_000);
    expect(await there.classesFor(ENABLED_ACCOUNT)).toEqual([]);

    await here.put(ENABLED_ACCOUNT, TRANSACTIONAL);
    expect(await here.classesFor(ENABLED_ACCOUNT)).toEqual(['transactional']);
    now += 4_000;
    expect(await there.classesFor(ENABLED_ACCOUNT)).toEqual([]);
    now += 1_001;
    expect(await there.classesFor(ENABLED_ACCOUNT)).toEqual(['transactional']);
  });

  describe('in the status applier, with RESEND_ON_RECEIPT_TIMEOUT empty', () => {
    const POLICY = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 60_000 } as const;

    const newMessage = (accountId: string): Promise<string> => seedMessage(writer, { accountId });

    const event = (messageId: string, kind: StatusEventKind, overrides: Partial<StatusChangedV1>): StatusChangedV1 =>
      statusEvent(messageId, kind, { providerMessageId: 'SM-first', ...overrides });

    async function overdueAfterSend(applier: StatusApplier, accountId: string): Promise<Record<string, unknown>> {
      const id = await newMessage(accountId);
      await applier.apply(event(id, StatusEventKind.Sent, {}));
      await applier.apply(
        event(id, StatusEventKind.Unknown, {
          source: StatusEventSource.Reconcile,
          errorCode: 'RECEIPT_TIMEOUT',
          fallbackEligible: true,
        }),
      );
      const [row] = await dataSource.query<Record<string, unknown>[]>(
        'SELECT status, attempt, dlr_fallbacks, avoid_providers FROM sms_messages WHERE id = ?',
        [id],
      );

      return { ...row, attempt: Number(row?.['attempt']), dlr_fallbacks: Number(row?.['dlr_fallbacks']) };
    }

    it('re-sends the overdue message of the account the API enabled, not another account’s', async () => {
      const store = new ResendPolicyStore(dataSource, OFF);
      const applier = new StatusApplier(dataSource, { ...POLICY, resendPolicy: store });
      await store.put(ENABLED_ACCOUNT, TRANSACTIONAL);

      expect(await overdueAfterSend(applier, ENABLED_ACCOUNT)).toMatchObject({
        status: 'sent',
        attempt: 2,
        dlr_fallbacks: 1,
        avoid_providers: 'twilio',
      });
      expect(await overdueAfterSend(applier, OTHER_ACCOUNT)).toMatchObject({
        status: 'unknown',
        attempt: 1,
        dlr_fallbacks: 0,
      });
    });

    it("lets an account's own policy turn off the operator's default for that account", async () => {
      const store = new ResendPolicyStore(dataSource, OFF);
      const applier = new StatusApplier(dataSource, { ...POLICY, resendPolicy: store });
      await store.put(OPERATOR_SCOPE, TRANSACTIONAL);
      await store.put(OTHER_ACCOUNT, { enabled: false, classes: [MessageClass.Transactional] });

      expect(await overdueAfterSend(applier, ENABLED_ACCOUNT)).toMatchObject({ status: 'sent', attempt: 2 });
      expect(await overdueAfterSend(applier, OTHER_ACCOUNT)).toMatchObject({ status: 'unknown', attempt: 1 });
    });
  });
});
