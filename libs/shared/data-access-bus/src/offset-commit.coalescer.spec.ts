import { type CommitOffsets, OffsetCommitCoalescer } from './offset-commit.coalescer';

/** A commit request that finishes only when the test says so, recording what each request carried. */
function controlledSend() {
  const requests: CommitOffsets[] = [];
  const settle: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const send = (offsets: CommitOffsets): Promise<void> => {
    requests.push(offsets);

    return new Promise((resolve, reject) => settle.push({ resolve, reject }));
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  return { requests, settle, send, tick };
}

describe('OffsetCommitCoalescer', () => {
  it('sends a lone commit at once', async () => {
    const { requests, settle, send } = controlledSend();
    const sut = new OffsetCommitCoalescer();

    const committed = sut.commit('t', 0, '11', send);
    expect(requests).toEqual([{ topics: [{ topic: 't', partitions: [{ partition: 0, offset: '11' }] }] }]);
    settle[0]?.resolve();

    await expect(committed).resolves.toBeUndefined();
  });

  it('sends the commits that come while one is in flight as one request, each partition with its latest offset', async () => {
    const { requests, settle, send, tick } = controlledSend();
    const sut = new OffsetCommitCoalescer();
    const done: string[] = [];
    const track = (name: string, promise: Promise<void>) => void promise.then(() => done.push(name));

    track('a0', sut.commit('a', 0, '5', send));
    track('a1', sut.commit('a', 1, '7', send));
    track('b0', sut.commit('b', 0, '3', send));
    track('a1-later', sut.commit('a', 1, '9', send));
    expect(requests).toHaveLength(1);
    settle[0]?.resolve();
    await tick();

    expect(done).toEqual(['a0']); // the others wait for the request that carries them
    expect(requests[1]).toEqual({
      topics: [
        {
          topic: 'a',
          partitions: [{ partition: 1, offset: '9' }],
        },
        { topic: 'b', partitions: [{ partition: 0, offset: '3' }] },
      ],
    });
    settle[1]?.resolve();
    await tick();
    expect(done).toEqual(['a0', 'a1', 'b0', 'a1-later']);
  });

  it('fails every commit a failed request carried, and goes on with the next ones', async () => {
    const { requests, settle, send, tick } = controlledSend();
    const sut = new OffsetCommitCoalescer();

    const first = sut.commit('t', 0, '1', send);
    const carried = [sut.commit('t', 1, '2', send), sut.commit('t', 2, '3', send)].map((p) =>
      p.then(
        () => 'ok',
        (error: Error) => error.message,
      ),
    );
    settle[0]?.resolve();
    await first;
    await tick();
    settle[1]?.reject(new Error('REBALANCE_IN_PROGRESS'));
    await expect(Promise.all(carried)).resolves.toEqual(['REBALANCE_IN_PROGRESS', 'REBALANCE_IN_PROGRESS']);

    const later = sut.commit('t', 0, '4', send);
    expect(requests).toHaveLength(3);
    settle[2]?.resolve();
    await expect(later).resolves.toBeUndefined();
  });

  it("sends with the latest caller's commit function", async () => {
    const old = controlledSend();
    const current = controlledSend();
    const sut = new OffsetCommitCoalescer();

    void sut.commit('t', 0, '1', old.send);
    void sut.commit('t', 1, '2', old.send);
    void sut.commit('t', 2, '3', current.send);
    old.settle[0]?.resolve();
    await old.tick();

    expect(old.requests).toHaveLength(1);
    expect(current.requests).toEqual([
      {
        topics: [
          {
            topic: 't',
            partitions: [
              { partition: 1, offset: '2' },
              { partition: 2, offset: '3' },
            ],
          },
        ],
      },
    ]);
  });
});

describe('OffsetCommitCoalescer deferral', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const resolvedSend = () => {
    const requests: CommitOffsets[] = [];
    const send = jest.fn(async (offsets: CommitOffsets) => {
      requests.push(offsets);
    });

    return { requests, send };
  };

  it('sends an offset deferred soon after a request once the interval has passed, by the deferred send', async () => {
    const batch = resolvedSend();
    const later = resolvedSend();
    const sut = new OffsetCommitCoalescer(500);
    expect(sut.sentRecently()).toBe(false);
    await sut.commit('t', 0, '5', batch.send);
    expect(sut.sentRecently()).toBe(true);

    sut.defer('t', 1, '9', later.send);
    sut.defer('t', 1, '10', later.send);
    await jest.advanceTimersByTimeAsync(499);
    expect(later.requests).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);

    expect(later.requests).toEqual([{ topics: [{ topic: 't', partitions: [{ partition: 1, offset: '10' }] }] }]);
    expect(batch.requests).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('lets a commit that comes first carry the deferred offsets, and then keeps no timer', async () => {
    const batch = resolvedSend();
    const later = resolvedSend();
    const sut = new OffsetCommitCoalescer(500);
    await sut.commit('t', 0, '5', batch.send);
    sut.defer('t', 1, '9', later.send);
    await sut.commit('t', 2, '3', batch.send);

    expect(batch.requests[1]).toEqual({
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 1, offset: '9' },
            { partition: 2, offset: '3' },
          ],
        },
      ],
    });
    expect(jest.getTimerCount()).toBe(0);
    expect(later.requests).toHaveLength(0);
  });

  it('flushNow() sends what is deferred at once and resolves when it is committed', async () => {
    const later = resolvedSend();
    const closing = resolvedSend();
    const sut = new OffsetCommitCoalescer(500);
    await sut.commit('t', 0, '1', resolvedSend().send);
    sut.defer('t', 0, '2', later.send);

    await sut.flushNow(closing.send);

    expect(closing.requests).toEqual([{ topics: [{ topic: 't', partitions: [{ partition: 0, offset: '2' }] }] }]);
    expect(later.requests).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    await expect(sut.flushNow(closing.send)).resolves.toBeUndefined();
    expect(closing.requests).toHaveLength(1);
  });

  it('reports a failed deferred request, which nobody awaits, to onDeferredError', async () => {
    const errors: unknown[] = [];
    const sut = new OffsetCommitCoalescer(500, (error) => errors.push(error));
    await sut.commit('t', 0, '1', resolvedSend().send);
    sut.defer('t', 0, '2', () => Promise.reject(new Error('rebalancing')));
    await jest.advanceTimersByTimeAsync(500);

    expect(errors).toEqual([new Error('rebalancing')]);
  });

  it('discard() drops what a consumer that is gone kept for later', async () => {
    const later = resolvedSend();
    const sut = new OffsetCommitCoalescer(500);
    await sut.commit('t', 0, '1', resolvedSend().send);
    sut.defer('t', 0, '2', later.send);
    sut.discard();
    await jest.advanceTimersByTimeAsync(1_000);

    expect(later.requests).toHaveLength(0);
  });

  it('without an interval never counts a request as recent', async () => {
    const sut = new OffsetCommitCoalescer();
    await sut.commit('t', 0, '1', resolvedSend().send);

    expect(sut.sentRecently()).toBe(false);
  });
});
