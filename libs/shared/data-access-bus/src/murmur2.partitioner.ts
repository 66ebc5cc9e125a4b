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
