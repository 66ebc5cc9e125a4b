import type { EachBatchPayload } from 'kafkajs';
import { OFFSET_COMMIT } from './bus.constants';
import type { OffsetCommitCoalescer, SendCommit } from './offset-commit.coalescer';

/**
 * The offsets of one kafkajs partition batch run by processPartitionBatch: the done prefix, committed at
 * most every OFFSET_COMMIT.intervalMs while the batch runs and once when it ends.
 *
 * commitOffsetsIfNecessary() *without* offsets is a no-op under autoCommit:false (it only honours
 * autoCommitInterval/Threshold), so the prefix is always passed explicitly.
 */
export class BatchOffsets {
  /** The last done record's offset not yet committed. */
  private uncommitted: string | undefined;
  private lastCommitAt = Date.now();

  constructor(
    private readonly payload: EachBatchPayload,
    private readonly commits: OffsetCommitCoalescer,
    /** The consumer's own commit, for an offset deferred past the end of the batch. */
    private readonly commitLater: SendCommit,
  ) {}

  /** A record finished: it joins the done prefix, committed now when the last commit is old enough. */
  async done(offset: string): Promise<void> {
    // Unresolved records (stopped mid-batch) are fetched again; commit() resolves the done prefix.
    this.uncommitted = offset;
    if (Date.now() - this.lastCommitAt >= OFFSET_COMMIT.intervalMs) {
      await this.commit();
    }
  }

  /**
   * A batch that ran to its end shortly after the consumer's last commit leaves its offset for the next
   * request (`deferrable`: completed, still running, not stale, not stopping). Otherwise (stopping, after a
   * seek or a failure such as a rebalance) the finished prefix is committed now, while this member still
   * owns the partition, instead of being handed to the next owner as duplicates (kafkajs #28 #1046).
   */
  async finish(deferrable: boolean, warn: (offset: string | undefined, error: unknown) => void): Promise<void> {
    const offset = this.uncommitted;
    if (deferrable && offset !== undefined && this.commits.sentRecently()) {
      this.payload.resolveOffset(offset);
      this.commits.defer(this.payload.batch.topic, this.payload.batch.partition, next(offset), this.commitLater);
      this.uncommitted = undefined;
    }
    await this.commit().catch((error: unknown) => warn(this.uncommitted, error));
  }

  private async commit(): Promise<void> {
    const offset = this.uncommitted;
    if (offset === undefined) {
      return;
    }
    // Resolving moves kafkajs' fetch position, so the next fetch never re-reads finished records; done
    // here (at least once per batch, before it returns) rather than per record: kafkajs parses and
    // formats the offset through its Long class on every call.
    this.payload.resolveOffset(offset);
    const { topic, partition } = this.payload.batch;
    await this.commits.commit(topic, partition, next(offset), (offsets) =>
      this.payload.commitOffsetsIfNecessary(offsets),
    );
    this.lastCommitAt = Date.now();
    if (this.uncommitted === offset) {
      this.uncommitted = undefined;
    }
  }
}

/** The offset a consumer commits after `offset`: the next record to read. */
function next(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
