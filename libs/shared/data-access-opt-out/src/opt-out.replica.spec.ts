import { DEFAULT_ACCOUNT_ID, EVERY_ACCOUNT } from '@sms/contracts';
import { OptOutReplica } from './opt-out.replica';

describe(OptOutReplica.name, () => {
  const A = '+447400123456';
  const S1 = '+447700900999';
  const S2 = '+447700900998';
  const ACME = '6a4f1c1e-0d39-4c43-9a51-0b3a1e7d2f10';
  const OTHER = '0c0b7d6e-5a6f-4b7e-8c9d-1e2f3a4b5c6d';
  const q = (accountId: string | null, sender: string | null, messageId?: string) => ({
    recipient: A,
    sender,
    accountId,
    messageId,
  });

  it("matches an erased person's entry by the recipient's token, hashing only while such entries exist", () => {
    const hashed: string[] = [];
    const tokenOf = (number: string) => {
      hashed.push(number);

      return number === A ? 'e:TOKENTOKENTOKE' : 'e:OTHEROTHEROTH';
    };
    const sut = new OptOutReplica(tokenOf);
    expect(sut.isOptedOutNow(q(ACME, S1))).toBe(false);
    expect(hashed).toEqual([]);
    sut.apply({ number: 'e:TOKENTOKENTOKE', sender: null, optedOut: true, accountId: ACME });
    expect(sut.isOptedOutNow(q(ACME, S1))).toBe(true);
    expect(sut.isOptedOutNow(q(OTHER, S1))).toBe(false);
    expect(sut.isOptedOutNow({ recipient: '+447400123457', sender: S1, accountId: ACME })).toBe(false);
    sut.apply({ number: 'e:TOKENTOKENTOKE', sender: null, optedOut: false, accountId: ACME });
    hashed.length = 0;
    expect(sut.isOptedOutNow(q(ACME, S1))).toBe(false);
    expect(hashed).toEqual([]);
    // Without a salt (no tokenOf) a token entry matches nothing but itself.
    const unsalted = new OptOutReplica();
    unsalted.apply({ number: 'e:TOKENTOKENTOKE', sender: null, optedOut: true, accountId: ACME });
    expect(unsalted.isOptedOutNow(q(ACME, S1))).toBe(false);
  });

  it('scopes an entry to its sender and an every-sender entry to every sender, within its account', async () => {
    const sut = new OptOutReplica();
    sut.apply({ number: A, sender: S1, optedOut: true, accountId: ACME });
    expect(await sut.isOptedOut(q(ACME, S1))).toBe(true);
    expect(await sut.isOptedOut(q(ACME, S2))).toBe(false);
    expect(await sut.isOptedOut(q(ACME, null))).toBe(false);
    expect(await sut.isOptedOut(q(OTHER, S1))).toBe(false);
    sut.apply({ number: A, sender: null, optedOut: true, accountId: ACME });
    expect(await sut.isOptedOut(q(ACME, S2))).toBe(true);
    expect(await sut.isOptedOut(q(ACME, null))).toBe(true);
    expect(await sut.isOptedOut(q(OTHER, S2))).toBe(false);
  });

  it('an every-account entry blocks every account; an unknown account is blocked by any entry', () => {
    const sut = new OptOutReplica();
    sut.apply({ number: A, sender: S1, optedOut: true, accountId: ACME });
    expect(sut.isOptedOutNow(q(null, S1))).toBe(true);
    expect(sut.isOptedOutNow(q(null, S2))).toBe(false);
    sut.apply({ number: A, sender: null, optedOut: true, accountId: EVERY_ACCOUNT });
    expect(sut.isOptedOutNow(q(OTHER, S2))).toBe(true);
    expect(sut.isOptedOutNow(q(DEFAULT_ACCOUNT_ID, null))).toBe(true);
    sut.apply({ number: A, sender: null, optedOut: false, accountId: EVERY_ACCOUNT });
    expect(sut.isOptedOutNow(q(OTHER, S2))).toBe(false);
    expect(sut.isOptedOutNow(q(ACME, S1))).toBe(true);
  });

  it('reads a record without an account (written before accounts) as the default account', () => {
    const sut = new OptOutReplica();
    sut.apply({ number: A, sender: null, optedOut: true });
    expect(sut.isOptedOutNow(q(DEFAULT_ACCOUNT_ID, S1))).toBe(true);
    expect(sut.isOptedOutNow(q(ACME, S1))).toBe(false);
  });

  it('removes entries and tolerates replays of the same state', () => {
    const sut = new OptOutReplica();
    sut.apply({ number: A, sender: S1, optedOut: true, accountId: ACME });
    sut.apply({ number: A, sender: S1, optedOut: true, accountId: ACME });
    sut.apply({ number: A, sender: S1, optedOut: false, accountId: ACME });
    sut.apply({ number: A, sender: S1, optedOut: false, accountId: ACME });
    expect(sut.isOptedOutNow(q(ACME, S1))).toBe(false);
    expect(sut.appliedCount).toBe(4);
  });

  it('lets the confirmation reply named by a change through, and nothing else', () => {
    const sut = new OptOutReplica();
    const confirmation = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';
    sut.apply({ number: A, sender: S1, optedOut: true, accountId: ACME, exemptMessageId: confirmation });
    expect(sut.isOptedOutNow(q(ACME, S1, confirmation))).toBe(false);
    expect(sut.isOptedOutNow(q(ACME, S1, '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d0'))).toBe(true);
    expect(sut.isOptedOutNow(q(ACME, S1))).toBe(true);
  });
});
