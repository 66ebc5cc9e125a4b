/** kafkajs' shape for `commitOffsetsIfNecessary(offsets)`: the offset is the next record to read. */
export interface CommitOffsets {
  readonly topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

export type SendCommit = (offsets: CommitOffsets) => Promise<void>;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One consumer's offset commits, sharing requests. Each partition batch commits its done prefix when it
 * ends (kafka.bus.ts), and a consumer with several partitions ends several batches per fetch: one
 * OffsetCommit request each, and one append to `__consumer_offsets` on the broker each. Here a commit
 * that comes while another is in flight waits for it and then goes in one request with every other
 * partition's that came meanwhile. Each caller still waits for the request carrying its offset, so a
 * batch returns only once its prefix is committed, as before.
 *
 * A partition has at most one commit waiting (its batches run one after the other, each awaiting its
 * commit), so the offset kept per partition is simply the latest one submitted.
 */
export class OffsetCommitCoalescer {
  private queued = new Map<string, { topic: string; partition: number; offset: string }>();
  private waiters: Waiter[] = [];
  private send: SendCommit | null = null;
  private inFlight = false;

  /** Commits `offset` (the next to read) for the partition; `send` is the calling batch's own commit. */
  commit(topic: string, partition: number, offset: string, send: SendCommit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.set(`${topic}\u0000${partition}`, { topic, partition, offset });
      this.waiters.push({ resolve, reject });
      // The latest batch's: after a rebalance, an older batch's payload may belong to the previous generation.
      this.send = send;
      this.flush();
    });
  }

  private flush(): void {
    const send = this.send;
    if (this.inFlight || this.queued.size === 0 || !send) {
      return;
    }
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of this.queued.values()) {
      const partitions = byTopic.get(topic) ?? [];
      partitions.push({ partition, offset });
      byTopic.set(topic, partitions);
    }
    const waiters = this.waiters;
    this.queued = new Map();
    this.waiters = [];
    this.inFlight = true;
    send({ topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) })
      .then(
        () => waiters.forEach((waiter) => waiter.resolve()),
        (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
      )
      .finally(() => {
        this.inFlight = false;
        this.flush();
      });
  }
}
