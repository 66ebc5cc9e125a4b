import type { DataSource } from 'typeorm';
import type { WebhookEventType } from './webhook-events';

interface Subscribed {
  readonly id: string;
  readonly events: ReadonlySet<string>;
}

/** How often each intake process re-reads the subscriptions another process may have changed. */
export const WEBHOOK_DIRECTORY_REFRESH_MS = 5_000;

/**
 * Which accounts have which subscriptions, in memory: the status path asks it for every message it moves,
 * so an account without a subscription costs one map lookup and no query. The whole table is read at
 * start and every few seconds (a subscription row is small and an account has at most a handful), and at
 * once after this process changed a subscription; another process's change is seen at its next refresh.
 */
export class WebhookDirectory {
  private byAccount = new Map<string, readonly Subscribed[]>();
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** The ids of the account's subscriptions that take `type`. */
  subscriptionsFor(accountId: string, type: WebhookEventType): string[] {
    return (this.byAccount.get(accountId) ?? []).filter((s) => s.events.has(type)).map((s) => s.id);
  }

  wants(accountId: string, type: WebhookEventType): boolean {
    return this.byAccount.get(accountId)?.some((s) => s.events.has(type)) ?? false;
  }

  /** Reads the table again (concurrent callers share one read). */
  refresh(): Promise<void> {
    return (this.loading ??= this.load().finally(() => (this.loading = null)));
  }

  async start(): Promise<void> {
    await this.refresh().catch(this.onError);
    this.timer = setInterval(() => void this.refresh().catch(this.onError), WEBHOOK_DIRECTORY_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async load(): Promise<void> {
    const rows: { id: string; account_id: string; events: string }[] = await this.dataSource.query(
      'SELECT id, account_id, events FROM webhook_subscriptions',
    );
    const next = new Map<string, Subscribed[]>();
    for (const row of rows) {
      const list = next.get(row.account_id) ?? [];
      list.push({ id: row.id, events: new Set(row.events.split(',')) });
      next.set(row.account_id, list);
    }
    this.byAccount = next;
  }
}
