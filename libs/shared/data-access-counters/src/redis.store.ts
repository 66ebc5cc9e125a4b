import Redis from 'ioredis';
import type { KeyValueStore } from './key-value.store';

export interface RedisStoreOptions {
  readonly url: string;
  /** Prefix for every key, so several deployments can share one Redis. */
  readonly keyPrefix?: string;
}

/**
 * The distributed mode's store. Commands fail fast when Redis is down (no unbounded offline queue,
 * reliability.md "Redis"): callers decide between failing open and answering 503.
 */
export class RedisKeyValueStore implements KeyValueStore {
  private readonly redis: Redis;

  constructor(options: RedisStoreOptions) {
    this.redis = new Redis(options.url, {
      keyPrefix: options.keyPrefix ?? 'sms:',
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      connectTimeout: 2000,
      commandTimeout: 2000,
      lazyConnect: false,
    });
    // Connection errors surface on commands; without a listener ioredis would log every retry.
    this.redis.on('error', () => undefined);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(key, value, 'PX', ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }

  async isReady(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
