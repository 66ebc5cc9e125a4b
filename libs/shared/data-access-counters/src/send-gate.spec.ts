import { MemoryKeyValueStore } from './memory.store';
import { SEND_GATE_TTL, SendGate } from './send-gate';

const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe(SendGate.name, () => {
  let now: number;
  let gate: SendGate;

  beforeEach(() => {
    now = 1_000_000;
    gate = new SendGate(new MemoryKeyValueStore(() => now), 'test:');
  });

  it('lets a send through when no cancel came first, and then refuses the cancel', async () => {
    expect(await gate.enter(ID, 1)).toBe('open');
    expect(await gate.cancel(ID, 1)).toBe('with-provider');
  });

  it('stops the send of a cancelled attempt, and says so to a second cancel', async () => {
    expect(await gate.cancel(ID, 1)).toBe('cancelled');
    expect(await gate.enter(ID, 1)).toBe('cancelled');
    expect(await gate.cancel(ID, 1)).toBe('already-cancelled');
  });

  it('lets a redelivered send of the same attempt through (the attempt store decides about it)', async () => {
    expect(await gate.enter(ID, 1)).toBe('open');
    expect(await gate.enter(ID, 1)).toBe('open');
  });

  it('keeps attempts apart: the next attempt of a message that failed transiently can still be cancelled', async () => {
    expect(await gate.enter(ID, 1)).toBe('open');
    expect(await gate.cancel(ID, 2)).toBe('cancelled');
    expect(await gate.enter(ID, 2)).toBe('cancelled');
  });

  it('keeps a cancel for as long as a copy of the attempt may still arrive', async () => {
    await gate.cancel(ID, 1);
    now += SEND_GATE_TTL.cancelledMs - 1;
    expect(await gate.enter(ID, 1)).toBe('cancelled');
  });

  it('answers one winner when both race', async () => {
    const [entered, cancelled] = await Promise.all([gate.enter(ID, 3), gate.cancel(ID, 3)]);
    expect([entered, cancelled]).toEqual(['open', 'with-provider']);
  });
});
