/**
 * Kafka's key hash (Java `Utils.murmur2`, which kafkajs' DefaultPartitioner copies): the in-process bus
 * uses it so a key lands on the same partition number as it would on a Kafka topic with as many
 * partitions. 32-bit arithmetic via Math.imul gives the same low 32 bits as kafkajs' 64-bit Long version.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16);
    k |= (data[i + 3] as number) << 24;
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) {
    h ^= (data[whole + 2] as number) << 16;
  }
  if (rest >= 2) {
    h ^= (data[whole + 1] as number) << 8;
  }
  if (rest >= 1) {
    h ^= data[whole] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;

  return h | 0;
}

/** Partition for a key, exactly as kafkajs' DefaultPartitioner computes it for a keyed message. */
export function partitionForKey(key: string, numPartitions: number): number {
  // `& 0x7fffffff`, not Math.abs: Kafka's toPositive, so negative hashes map the same way.
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % numPartitions;
}

interface PartitionMetadataLike {
  readonly partitionId: number;
  readonly leader: number;
}

/**
 * A kafkajs `createPartitioner` that places records exactly as kafkajs' DefaultPartitioner does (keyed:
 * murmur2 over every partition; keyless: round-robin over partitions with a leader), on the Math.imul
 * murmur2 above. kafkajs' own computes the hash with its 64-bit Long class and filters the partition list
 * on every record, keyed or not: a large share of a produce's CPU (docs/performance.md, "Figures behind rules
 * in the code").
 */
export function createMurmur2Partitioner(): (args: {
  topic: string;
  partitionMetadata: readonly PartitionMetadataLike[];
  message: { partition?: number | null; key?: Buffer | string | null };
}) => number {
  const counters = new Map<string, number>();

  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) {
      return message.partition;
    }
    const numPartitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) {
      const key = typeof message.key === 'string' ? Buffer.from(message.key, 'utf8') : message.key;

      return (murmur2(key) & 0x7fffffff) % numPartitions;
    }
    const next = (counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);

    return available.length > 0
      ? (available[(next & 0x7fffffff) % available.length] as PartitionMetadataLike).partitionId
      : (next & 0x7fffffff) % numPartitions;
  };
}
