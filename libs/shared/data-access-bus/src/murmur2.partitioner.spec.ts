import { Partitioners } from 'kafkajs';
import { murmur2, partitionForKey } from './murmur2.partitioner';

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
});
