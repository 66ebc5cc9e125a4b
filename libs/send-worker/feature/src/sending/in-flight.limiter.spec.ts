import { InFlightLimiter } from './in-flight.limiter';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(InFlightLimiter.name, () => {
  it('holds at most its capacity and grants waiters in arrival order as units come back', async () => {
    const limiter = new InFlightLimiter(3);
    const first = await limiter.acquire(2);
    const granted: string[] = [];
    const big = limiter.acquire(3).then((release) => {
      granted.push('big');

      return release;
    });
    // Fits, but queued behind the larger request: a long message is never starved by short ones.
    const small = limiter.acquire(1).then((release) => {
      granted.push('small');

      return release;
    });
    await tick();
    expect(limiter.inUse).toBe(2);
    expect(limiter.waiting).toBe(2);
    expect(granted).toEqual([]);

    first();
    await tick();
    expect(granted).toEqual(['big']);
    expect(limiter.inUse).toBe(3);
    (await big)();
    await tick();
    expect(granted).toEqual(['big', 'small']);
    (await small)();
    expect(limiter.inUse).toBe(0);
  });

  it('caps a request above the capacity at the capacity, and ignores a second release', async () => {
    const limiter = new InFlightLimiter(2);
    const release = await limiter.acquire(5);
    expect(limiter.inUse).toBe(2);
    release();
    release();
    expect(limiter.inUse).toBe(0);
    const again = await limiter.acquire(1);
    expect(limiter.inUse).toBe(1);
    again();
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new InFlightLimiter(0)).toThrow(RangeError);
    expect(() => new InFlightLimiter(1.5)).toThrow(RangeError);
  });
});
