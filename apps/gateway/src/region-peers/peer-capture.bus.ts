import type { Bus, BusRecord, ConsumerLag, DlqReplayRequest, DlqReplayResult, SubscriptionOptions } from '@sms/bus';
import { PEER_ORIGIN_HEADER, TOPICS } from '@sms/contracts';
import type { PeerOutbox } from './peer-outbox';

/**
 * The embedded bus of one region among several: every record published on a global topic (GLOBAL_TOPICS:
 * opt-out states, erasure commands and reports) is also queued, durably, for every other region's gateway
 * (docs/regions.md, "Embedded mode"); the relay delivers it. Records that came from a peer are not queued
 * again, nor are the ledger's replays (`source: 'replay'`, its republish at start): a replay is no change,
 * and sending one to a peer could bring back an entry the peer had lifted since.
 */
export class PeerCaptureBus implements Bus {
  constructor(
    private readonly inner: Bus,
    private readonly outbox: PeerOutbox,
    private readonly globalTopics: ReadonlySet<string>,
    private readonly peers: readonly string[],
    private readonly onQueued: () => void,
  ) {}

  async publish(records: readonly BusRecord[]): Promise<void> {
    const owed = records.filter((record) => this.owed(record));
    if (owed.length > 0) {
      this.outbox.add(this.peers, owed);
      this.onQueued();
    }
    await this.inner.publish(records);
  }

  subscribe(options: SubscriptionOptions): Promise<void> {
    return this.inner.subscribe(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isReady(): Promise<boolean> {
    return this.inner.isReady();
  }

  awaitCapacity(signal?: AbortSignal): Promise<void> {
    return this.inner.awaitCapacity(signal);
  }

  consumerLag(): Promise<readonly ConsumerLag[]> {
    return this.inner.consumerLag();
  }

  replayDeadLetters(request: DlqReplayRequest): Promise<DlqReplayResult> {
    return this.inner.replayDeadLetters(request);
  }

  private owed(record: BusRecord): boolean {
    if (!this.globalTopics.has(record.topic) || record.headers?.[PEER_ORIGIN_HEADER] !== undefined) {
      return false;
    }
    const value = record.value as { source?: unknown } | null;

    return !(record.topic === TOPICS.optout && value?.source === 'replay');
  }
}
