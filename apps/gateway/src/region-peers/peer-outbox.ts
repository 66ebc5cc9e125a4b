import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** One record waiting for one peer region. */
export interface PeerRecord {
  readonly id: number;
  readonly topic: string;
  /** The record's value, JSON. */
  readonly value: string;
}

/**
 * The durable queue of records this embedded region owes its peers (docs/regions.md, "Embedded mode"), one
 * row per record and peer, in its own SQLite file beside the services' (`DATA_DIR/region-peers.sqlite`).
 * Written synchronously inside the bus's publish, so a record the gateway published is queued before the
 * publish returns: a peer that is down, or a restart of this process, loses nothing; rows go once the peer
 * has acknowledged them. Ids grow, so each peer receives its records in publish order.
 */
export class PeerOutbox {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, string, string, number]>;
  private readonly next: Database.Statement<[string, number], PeerRecord>;
  private readonly remove: Database.Statement<[string, number]>;
  private readonly count: Database.Statement<[string], { n: number }>;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'region-peers.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // Every write is on disk when it returns: the queue is what a peer catches up from.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS peer_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      peer TEXT NOT NULL,
      topic TEXT NOT NULL,
      value TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
    this.db.exec('CREATE INDEX IF NOT EXISTS ix_peer_outbox_peer ON peer_outbox (peer, id)');
    this.insert = this.db.prepare('INSERT INTO peer_outbox (peer, topic, value, created_at) VALUES (?, ?, ?, ?)');
    this.next = this.db.prepare('SELECT id, topic, value FROM peer_outbox WHERE peer = ? ORDER BY id LIMIT ?');
    this.remove = this.db.prepare('DELETE FROM peer_outbox WHERE peer = ? AND id <= ?');
    this.count = this.db.prepare('SELECT COUNT(*) AS n FROM peer_outbox WHERE peer = ?');
  }

  /**
   * Queues each record for each peer, in one transaction. Keys are not kept: an opt-out state's key names the
   * number (the receiver derives it from the value again), an erasure's is its id, in the value too.
   */
  add(peers: readonly string[], records: readonly { topic: string; value: unknown }[]): void {
    const now = Date.now();
    this.db.transaction(() => {
      for (const record of records) {
        const value = JSON.stringify(record.value);
        for (const peer of peers) {
          this.insert.run(peer, record.topic, value, now);
        }
      }
    })();
  }

  /** The oldest records still owed to `peer`. */
  pending(peer: string, limit: number): PeerRecord[] {
    return this.next.all(peer, limit);
  }

  /** Drops `peer`'s records up to and including `id` (the peer has them). */
  acknowledge(peer: string, id: number): void {
    this.remove.run(peer, id);
  }

  size(peer: string): number {
    return this.count.get(peer)?.n ?? 0;
  }

  close(): void {
    this.db.close();
  }
}
