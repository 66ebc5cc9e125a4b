import { randomChars, randomHex } from './sim-random';
import { newSinchId } from './sinch-sim.responses';
import { newMessageSid } from './twilio-sim.responses';
import { newVonageMessageId } from './vonage-sim.responses';

describe('pooled random ids', () => {
  it('gives hex of the asked length, never the same twice across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i += 1) {
      const value = randomHex(16);
      expect(value).toMatch(/^[0-9a-f]{32}$/);
      seen.add(value);
    }
    expect(seen.size).toBe(5_000);
  });

  it('spreads its bytes over the whole range', () => {
    const counts = new Map<string, number>();
    for (const char of randomHex(4_000)) {
      counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect(counts.size).toBe(16);
    expect(Math.min(...counts.values())).toBeGreaterThan(300); // 500 expected per hex digit
  });

  it('picks characters of the alphabet only, and refuses more than one pool at a time', () => {
    expect(randomChars('AB', 64)).toMatch(/^[AB]{64}$/);
    expect(() => randomHex(5_000)).toThrow(RangeError);
  });

  it('keeps each provider id in its format', () => {
    expect(newMessageSid()).toMatch(/^SM[0-9a-f]{32}$/);
    expect(newVonageMessageId()).toMatch(/^[0-9A-F]{16}$/);
    expect(newSinchId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
