import { randomUUID } from 'node:crypto';
import { isDuplicateKeyError, type SqlRunner } from '@sms/persistence';
import type { DataSource, Repository } from 'typeorm';
import { DeliveryState, WebhookDeliveryEntity } from '../database/entities/webhook-delivery.entity';

export { DeliveryState };
import { WebhookSubscriptionEntity } from '../database/entities/webhook-subscription.entity';
import type { WebhookEvent } from './webhook-events';
import type { CreateWebhookInput, UpdateWebhookInput } from './webhook-input';
import { generateWebhookSecret, type WebhookSecretBox } from './webhook-secrets';

export interface WebhookView {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DeliveryView {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly type: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  /** When the next attempt is due; null once settled. */
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly settledAt: string | null;
  readonly attemptLog: readonly unknown[];
  /** The event exactly as it is signed and sent. */
  readonly event: unknown;
}

const DELIVERY_COLUMNS = [
  'id',
  'subscription_id',
  'account_id',
  'event_id',
  'event_type',
  'body',
  'state',
  'attempts',
  'next_attempt_at',
  'retry_until',
  'lease_until',
  'last_status_code',
  'last_error',
  'attempt_log',
  'created_at',
  'settled_at',
] as const;

/** What an account may have at once: each subscription multiplies the work every event of the account costs. */
export const MAX_SUBSCRIPTIONS_PER_ACCOUNT = 10;

const toView = (row: WebhookSubscriptionEntity): WebhookView => ({
  id: row.id,
  url: row.url,
  events: row.events.split(','),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toDeliveryView = (row: WebhookDeliveryEntity): DeliveryView => ({
  id: row.id,
  subscriptionId: row.subscriptionId,
  eventId: row.eventId,
  type: row.eventType,
  state: row.state,
  attempts: Number(row.attempts),
  lastStatusCode: row.lastStatusCode === null ? null : Number(row.lastStatusCode),
  lastError: row.lastError,
  nextAttemptAt: row.state === DeliveryState.Pending ? row.nextAttemptAt.toISOString() : null,
  createdAt: row.createdAt.toISOString(),
  settledAt: row.settledAt?.toISOString() ?? null,
  attemptLog: JSON.parse(row.attemptLog) as unknown[],
  event: JSON.parse(row.body) as unknown,
});

/**
 * Subscriptions and their delivery log in intake's slice. Every read and write names the caller's
 * account: another account's subscription or delivery is not found, exactly like a missing one.
 */
export class WebhookStore {
  private readonly subscriptions: Repository<WebhookSubscriptionEntity>;
  private readonly deliveries: Repository<WebhookDeliveryEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: WebhookSecretBox,
    private readonly retryWindowMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.subscriptions = dataSource.getRepository(WebhookSubscriptionEntity);
    this.deliveries = dataSource.getRepository(WebhookDeliveryEntity);
  }

  countOf(accountId: string): Promise<number> {
    return this.subscriptions.count({ where: { accountId } });
  }

  /** The new subscription and its secret (the caller's, or a generated one), which is shown this once. */
  async create(accountId: string, input: CreateWebhookInput): Promise<{ view: WebhookView; secret: string }> {
    const id = randomUUID();
    const secret = input.secret ?? generateWebhookSecret();
    const now = this.now();
    const row = this.subscriptions.create({
      id,
      accountId,
      url: input.url,
      events: input.events.join(','),
      secretCiphertext: this.box.seal(secret, id),
      createdAt: now,
      updatedAt: now,
    });
    await this.subscriptions.insert(row);

    return { view: toView(row), secret };
  }

  async list(accountId: string): Promise<WebhookView[]> {
    const rows = await this.subscriptions.find({ where: { accountId }, order: { createdAt: 'ASC', id: 'ASC' } });

    return rows.map(toView);
  }

  async find(accountId: string, id: string): Promise<WebhookView | null> {
    const row = await this.subscriptions.findOne({ where: { id, accountId } });

    return row ? toView(row) : null;
  }

  async update(accountId: string, id: string, input: UpdateWebhookInput): Promise<WebhookView | null> {
    const changes = {
      ...(input.url !== undefined && { url: input.url }),
      ...(input.events !== undefined && { events: input.events.join(',') }),
      updatedAt: this.now(),
    };
    const result = await this.subscriptions.update({ id, accountId }, changes);

    return result.affected ? this.find(accountId, id) : null;
  }

  /** A new secret, shown this once; every attempt from now on is signed with it. */
  async rotate(accountId: string, id: string): Promise<{ view: WebhookView; secret: string } | null> {
    const secret = generateWebhookSecret();
    const result = await this.subscriptions.update(
      { id, accountId },
      { secretCiphertext: this.box.seal(secret, id), updatedAt: this.now() },
    );
    const view = result.affected ? await this.find(accountId, id) : null;

    return view ? { view, secret } : null;
  }

  /** Removes the subscription and its delivery log; pending deliveries are not sent. */
  async remove(accountId: string, id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.delete(WebhookSubscriptionEntity, { id, accountId });
      if (!result.affected) {
        return false;
      }
      await manager.delete(WebhookDeliveryEntity, { subscriptionId: id, accountId });

      return true;
    });
  }

  /** The subscription's newest deliveries, or null when the account has no such subscription. */
  async deliveriesOf(accountId: string, subscriptionId: string, limit: number): Promise<DeliveryView[] | null> {
    if (!(await this.find(accountId, subscriptionId))) {
      return null;
    }
    const rows = await this.deliveries.find({
      where: { subscriptionId, accountId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });

    return rows.map(toDeliveryView);
  }

  /**
   * Sends one delivery again: due now, with a fresh retry window, whatever its state (a pending one is
   * brought forward). The event keeps its id, so a receiver that already has it can tell.
   */
  async replay(accountId: string, subscriptionId: string, deliveryId: string): Promise<DeliveryView | null> {
    const now = this.now();
    const result = await this.deliveries.update(
      { id: deliveryId, subscriptionId, accountId },
      {
        state: DeliveryState.Pending,
        nextAttemptAt: now,
        retryUntil: new Date(now.getTime() + this.retryWindowMs),
        leaseUntil: null,
        settledAt: null,
      },
    );
    if (!result.affected) {
      return null;
    }
    const row = await this.deliveries.findOne({ where: { id: deliveryId, accountId } });

    return row ? toDeliveryView(row) : null;
  }

  /**
   * Records one delivery per (subscription, event) inside the caller's transaction (the status change's).
   * Returns how many rows it wrote.
   */
  async enqueue(sql: SqlRunner, entries: readonly DeliveryEntry[], now: Date): Promise<number> {
    const rows = entries.map((entry) => this.rowOf(entry, now));
    if (rows.length > 0) {
      await sql.insert('webhook_deliveries', DELIVERY_COLUMNS, rows);
    }

    return rows.length;
  }

  /**
   * Records one delivery on its own (inbound events, whose source record may be redelivered): an event the
   * subscription already has is reported as not stored.
   */
  async enqueueOne(entry: DeliveryEntry): Promise<boolean> {
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(WebhookDeliveryEntity, {
          id: randomUUID(),
          subscriptionId: entry.subscriptionId,
          accountId: entry.accountId,
          eventId: entry.event.id,
          eventType: entry.event.type,
          body: JSON.stringify(entry.event),
          state: DeliveryState.Pending,
          attempts: 0,
          nextAttemptAt: this.now(),
          retryUntil: new Date(this.now().getTime() + this.retryWindowMs),
          leaseUntil: null,
          lastStatusCode: null,
          lastError: null,
          attemptLog: '[]',
          createdAt: this.now(),
          settledAt: null,
        });
      });

      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        return false;
      }
      throw error;
    }
  }

  private rowOf(entry: DeliveryEntry, now: Date): unknown[] {
    return [
      randomUUID(),
      entry.subscriptionId,
      entry.accountId,
      entry.event.id,
      entry.event.type,
      JSON.stringify(entry.event),
      DeliveryState.Pending,
      0,
      now,
      new Date(now.getTime() + this.retryWindowMs),
      null,
      null,
      null,
      '[]',
      now,
      null,
    ];
  }
}

/** One event for one subscription. */
export interface DeliveryEntry {
  readonly subscriptionId: string;
  readonly accountId: string;
  readonly event: WebhookEvent;
}
