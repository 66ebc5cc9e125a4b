import { Logger } from '@nestjs/common';
import type { PeerOutbox } from './peer-outbox';

/** The path a region's gateway receives its peers' records on (internal token only). */
export const PEER_RECORDS_PATH = '/internal/v1/region-peers/records';

const BATCH = 200;
const IDLE_POLL_MS = 1_000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const TIMEOUT_MS = 10_000;

export interface PeerEndpoint {
  readonly name: string;
  /** The peer's gateway base URL (REGIONS). */
  readonly url: string;
}

/**
 * Delivers the peer outbox (docs/regions.md, "Embedded mode"): for each peer, the oldest records in order, in
 * batches, to the peer's {@link PEER_RECORDS_PATH} with the shared INTERNAL_API_TOKEN. A batch the peer took
 * (2xx) is dropped from the queue; one it refused as malformed (400, 422) is dropped with an error, since
 * sending it again cannot succeed and would hold back every later record; anything else (the peer down, 401
 * with another token, 5xx) is retried with a growing pause, so a peer that comes back catches up in order.
 * Applying a record twice changes nothing (opt-out states are absolute, erasures idempotent, the first report
 * counts), so a batch resent after a lost answer is harmless.
 */
export class PeerRelay {
  private readonly logger = new Logger('region-peers');
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly outbox: PeerOutbox,
    private readonly self: string,
    private readonly peers: readonly PeerEndpoint[],
    private readonly token: string,
  ) {}

  start(): void {
    for (const peer of this.peers) {
      this.loops.push(this.run(peer));
    }
  }

  /** New records queued: every peer's loop looks now instead of at its next poll. */
  wake(): void {
    for (const wake of this.wakers) {
      wake();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await Promise.all(this.loops);
  }

  private async run(peer: PeerEndpoint): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (!this.stopped) {
      const records = this.outbox.pending(peer.name, BATCH);
      if (records.length === 0) {
        await this.pause(IDLE_POLL_MS);
        continue;
      }
      const outcome = await this.deliver(peer, records);
      if (outcome === 'retry') {
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      backoff = FIRST_BACKOFF_MS;
      this.outbox.acknowledge(peer.name, records[records.length - 1]!.id);
    }
  }

  private async deliver(
    peer: PeerEndpoint,
    records: readonly { topic: string; value: string }[],
  ): Promise<'done' | 'retry'> {
    const body = `{"from":${JSON.stringify(this.self)},"records":[${records
      .map((r) => `{"topic":${JSON.stringify(r.topic)},"value":${r.value}}`)
      .join(',')}]}`;
    try {
      const answer = await fetch(peer.url + PEER_RECORDS_PATH, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await answer.text();
      if (answer.ok) {
        return 'done';
      }
      if (answer.status === 400 || answer.status === 422) {
        this.logger.error(`region ${peer.name} refused ${records.length} records as malformed (${answer.status})`);

        return 'done';
      }
      this.logger.warn(`region ${peer.name} answered ${answer.status}; ${records.length} records stay queued`);
    } catch (error) {
      this.logger.warn(
        `region ${peer.name} unreachable (${error instanceof Error ? error.message : String(error)}); records stay queued`,
      );
    }

    return 'retry';
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) {
      return Promise.resolve();
    }

    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}
