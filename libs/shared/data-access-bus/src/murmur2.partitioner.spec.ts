import { Partitioners } from 'kafkajs';
import { createMurmur2Partitioner, murmur2, partitionForKey } from './murmur2.partitioner';

describe('murmur2 partitioner', () => {
  // Values from Kafka's own UtilsTest.testMurmur2 (Java), which every compatible client reproduces.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s like Kafka', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('puts every key on the partition kafkajs DefaultPartitioner picks', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      '+447700900123',
      'é-ü-ß',
      '😀',
      ...Array.from({ length: 500 }, (_, i) => `msg-${i * 7919}`),
    ];
    for (const numPartitions of [1, 3, 4, 12]) {
      const partitionMetadata = Array.from({ length: numPartitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      }));
      for (const key of keys) {
        const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionForKey(key, numPartitions)).toBe(expected);
      }
    }
  });

  const metadata = (numPartitions: number, leaderless: number[] = []) =>
    Array.from({ length: numPartitions }, (_, partitionId) => ({
      partitionId,
      leader: leaderless.includes(partitionId) ? -1 : 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));

  it('the producer partitioner places keyed records (string or Buffer keys) like DefaultPartitioner', () => {
    const ours = createMurmur2Partitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const numPartitions of [1, 3, 12]) {
      // A partition without a leader changes nothing for keyed records: they hash over all partitions.
      const partitionMetadata = metadata(numPartitions, [0]);
      for (let i = 0; i < 300; i++) {
        for (const key of [`6f1c2d3e-${i * 7919}`, Buffer.from(`+4477009${i}`)]) {
          const message = { key, value: null };
          expect(ours({ topic: 't', partitionMetadata, message })).toBe(
            theirs({ topic: 't', partitionMetadata, message }),
          );
        }
      }
    }
  });

  it('honours an explicit partition and round-robins keyless records over partitions with a leader', () => {
    const partitioner = createMurmur2Partitioner();
    const partitionMetadata = metadata(4, [2]);

    expect(partitioner({ topic: 't', partitionMetadata, message: { key: 'k', partition: 3 } })).toBe(3);
    const picks = Array.from({ length: 30 }, () => partitioner({ topic: 't', partitionMetadata, message: {} }));
    expect(new Set(picks)).toEqual(new Set([0, 1, 3]));
    for (const partition of [0, 1, 3]) {
      expect(picks.filter((p) => p === partition)).toHaveLength(10);
    }
  });
});
