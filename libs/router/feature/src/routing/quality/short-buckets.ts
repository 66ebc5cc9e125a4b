import Redis from 'ioredis';
import { addCounts, addField, countFields, emptyCounts, type QualityCounts } from './quality-counts';
import type { QualitySink } from './quality-tracker';

/**
 * The recent buckets (e.g. the last hour of 1-minute buckets): what failover-scale decisions read.
 * `read` answers the sum of every bucket that started at or after `since`, per route key.
 */
export interface ShortBucketStore extends QualitySink {
  read(since: number): Promise<Map<string, QualityCounts>>;
  close(): Promise<void>;
}

/** Embedded mode: one process, so the buckets live in its memory (the hourly roll-ups are in SQLite). */
export class MemoryShortBuckets implements ShortBucketStore {
  private readonly buckets = new Map<number, Map<string, QualityCounts>>();

  constructor(private readonly windowMs: number) {}

  add(bucketStart: number, counts: ReadonlyMap<string, QualityCounts>): Promise<void> {
    const bucket = this.buckets.get(bucketStart) ?? new Map<string, QualityCounts>();
    for (const [key, value] of counts) {
      bucket.set(key, addCounts(bucket.get(key) ?? emptyCounts(), value));
    }
    this.buckets.set(bucketStart, bucket);
    const oldest = bucketStart - this.windowMs;
    for (const start of this.buckets.keys()) {
      if (start < oldest) {
        this.buckets.delete(start);
      }
    }

    return Promise.resolve();
  }

  read(since: number): Promise<Map<string, QualityCounts>> {
    const out = new Map<string, QualityCounts>();
    for (const [start, bucket] of this.buckets) {
      if (start >= since) {
        for (const [key, value] of bucket) {
          out.set(key, addCounts(out.get(key) ?? emptyCounts(), value));
        }
      }
    }

    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Between a route key and a count's name in a bucket's hash field. */
const FIELD_SEP = '#';

/**
 * Distributed mode: one Redis hash per bucket (`<prefix>route-quality:<bucketStart>`), field
 * `<route key>#<count>`, added with HINCRBY so every replica's share of a bucket sums up; each hash
 * expires once it left the window. One pipeline per flush, one per read.
 */
export class RedisShortBuckets implements ShortBucketStore {
  private readonly redis: Redis;

  constructor(
    options: { url: string; keyPrefix: string },
    private readonly windowMs: number,
    private readonly bucketMs: number,
  ) {
    this.redis = new Redis(options.url, { keyPrefix: options.keyPrefix, lazyConnect: false, maxRetriesPerRequest: 2 });
  }

  private keyOf(bucketStart: number): string {
    return `route-quality:${bucketStart}`;
  }

  async add(bucketStart: number, counts: ReadonlyMap<string, QualityCounts>): Promise<void> {
    const key = this.keyOf(bucketStart);
    const pipeline = this.redis.pipeline();
    for (const [route, value] of counts) {
      for (const [field, n] of countFields(value)) {
        pipeline.hincrby(key, route + FIELD_SEP + field, n);
      }
    }
    pipeline.pexpire(key, this.windowMs + 2 * this.bucketMs);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) {
      throw failed[0] instanceof Error ? failed[0] : new Error('route quality bucket write failed');
    }
  }

  async read(since: number): Promise<Map<string, QualityCounts>> {
    const first = Math.ceil(since / this.bucketMs) * this.bucketMs;
    const last = Math.floor(Date.now() / this.bucketMs) * this.bucketMs;
    const pipeline = this.redis.pipeline();
    for (let start = first; start <= last; start += this.bucketMs) {
      pipeline.hgetall(this.keyOf(start));
    }
    const results = (await pipeline.exec()) ?? [];
    const out = new Map<string, QualityCounts>();
    for (const [error, hash] of results) {
      if (error) {
        throw error;
      }
      for (const [field, value] of Object.entries(hash as Record<string, string>)) {
        const at = field.lastIndexOf(FIELD_SEP);
        const route = field.slice(0, at);
        let counts = out.get(route);
        if (!counts) {
          counts = emptyCounts();
          out.set(route, counts);
        }
        addField(counts, field.slice(at + 1), Number(value));
      }
    }

    return out;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
