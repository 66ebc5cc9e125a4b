import { OptOutReplica } from './opt-out.replica';

describe(OptOutReplica.name, () => {
  const A = '+447400123456';
  const S1 = '+447700900999';
  const S2 = '+447700900998';

  it('scopes an entry to its sender and an account-wide entry to every sender', async () => {
    const sut = new OptOutReplica();
    sut.apply({ number: A, sender: S1, optedOut: true });
    expect(await sut.isOptedOut(A, S1)).toBe(true);
    expect(await sut.isOptedOut(A, S2)).toBe(false);
    expect(await sut.isOptedOut(A, null)).toBe(false);
    sut.apply({ number: A, sender: null, optedOut: true });
    expect(await sut.isOptedOut(A, S2)).toBe(true);
    expect(await sut.isOptedOut(A, null)).toBe(true);
  });

  it('removes entries and tolerates replays of the same state', () => {
    const sut = new OptOutReplica();
    sut.apply({ number: A, sender: S1, optedOut: true });
    sut.apply({ number: A, sender: S1, optedOut: true });
    sut.apply({ number: A, sender: S1, optedOut: false });
    sut.apply({ number: A, sender: S1, optedOut: false });
    expect(sut.isOptedOutNow(A, S1)).toBe(false);
    expect(sut.appliedCount).toBe(4);
  });

  it('lets the confirmation reply named by a change through, and nothing else', () => {
    const sut = new OptOutReplica();
    const confirmation = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';
    sut.apply({ number: A, sender: S1, optedOut: true, exemptMessageId: confirmation });
    expect(sut.isOptedOutNow(A, S1, confirmation)).toBe(false);
    expect(sut.isOptedOutNow(A, S1, '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d0')).toBe(true);
    expect(sut.isOptedOutNow(A, S1)).toBe(true);
  });
});
