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
