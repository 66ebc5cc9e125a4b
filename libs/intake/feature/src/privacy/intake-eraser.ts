import type { KeyValueStore } from '@sms/counters';
import {
  affectedRows,
  type ErasureTarget,
  inTransaction,
  replaceNumberIn,
  scrubMentionsIn,
  type SliceEraser,
} from '@sms/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import type { PumpingGuard } from '../limits/pumping-guard';

/** Ids per `IN (…)` list: well under every driver's parameter limit. */
const ID_CHUNK = 500;

interface ErasedMessage {
  readonly id: string;
  readonly accountId: string;
  readonly country: string;
}

/**
 * Intake's part of an erasure (docs/privacy.md has the table of stores and why):
 * - `sms_messages` to the number keep their row (status, segments, price, times: billing and statistics still
 *   add up) with the token in `to_number`, an empty body and no provider error text (providers echo numbers);
 * - `inbound_messages` from (or to) the number likewise keep their row with the token and an empty body;
 * - `idempotency_keys` of those messages go (their stored answer holds the number), with their cached copy;
 * - `message_events`, `webhook_deliveries` and `intake_outbox` rows that mention the number are rewritten;
 * - the pumping guard's windows forget the number.
 * One transaction for the tables; the key-value entries after it (they expire on their own anyway).
 */
export class IntakeEraser implements SliceEraser {
  readonly slice = 'intake' as const;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kv: KeyValueStore,
    private readonly pumping: PumpingGuard,
  ) {}

  async erase(target: ErasureTarget): Promise<Record<string, number>> {
    const { report, messages, idempotencyScopes } = await inTransaction(this.dataSource, async (manager) => {
      const messages = (
        await manager.query<{ id: string; account_id: string; country: string }[]>(
          'SELECT `id`, `account_id`, `country` FROM `sms_messages` WHERE `to_number` = ?',
          [target.number],
        )
      ).map((row) => ({ id: row.id, accountId: row.account_id, country: row.country }));
      const idempotencyScopes = await this.idempotencyScopesOf(manager, messages);
      const report: Record<string, number> = {
        sms_messages: await replaceNumberIn(manager, 'sms_messages', 'to_number', target, {
          body: '',
          error_message: null,
        }),
        message_events: await scrubMentionsIn(
          manager,
          { table: 'message_events', key: 'id', columns: ['detail'] },
          target,
        ),
        idempotency_keys: await this.deleteIdempotencyRows(manager, idempotencyScopes),
        inbound_messages:
          (await replaceNumberIn(manager, 'inbound_messages', 'from_number', target, { body: '' })) +
          (await replaceNumberIn(manager, 'inbound_messages', 'to_number', target, { body: '' })),
        webhook_deliveries: await scrubMentionsIn(
          manager,
          { table: 'webhook_deliveries', key: 'id', columns: ['body', 'last_error', 'attempt_log'] },
          target,
        ),
        intake_outbox: await scrubMentionsIn(
          manager,
          { table: 'intake_outbox', key: 'id', columns: ['payload'] },
          target,
        ),
      };

      return { report, messages, idempotencyScopes };
    });
    for (const scope of idempotencyScopes) {
      await this.kv.delete(`idem:${scope}`);
    }
    report['kv:idempotency'] = idempotencyScopes.length;
    report['kv:pumping-windows'] = await this.forgetPumping(messages, target.number);

    return report;
  }

  private async idempotencyScopesOf(manager: EntityManager, messages: readonly ErasedMessage[]): Promise<string[]> {
    const scopes: string[] = [];
    for (let i = 0; i < messages.length; i += ID_CHUNK) {
      const ids = messages.slice(i, i + ID_CHUNK).map((message) => message.id);
      const rows = await manager.query<{ scope_key: string }[]>(
        `SELECT \`scope_key\` FROM \`idempotency_keys\` WHERE \`message_id\` IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      scopes.push(...rows.map((row) => row.scope_key));
    }

    return scopes;
  }

  private async deleteIdempotencyRows(manager: EntityManager, scopes: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < scopes.length; i += ID_CHUNK) {
      const chunk = scopes.slice(i, i + ID_CHUNK);
      deleted += await affectedRows(
        manager,
        `DELETE FROM \`idempotency_keys\` WHERE \`scope_key\` IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
    }

    return deleted;
  }

  /** Each (account, country) the number was sent from once: the windows are per account and scope. */
  private async forgetPumping(messages: readonly ErasedMessage[], number: string): Promise<number> {
    const seen = new Set<string>();
    let forgotten = 0;
    for (const message of messages) {
      const key = `${message.accountId}|${message.country}`;
      if (!seen.has(key)) {
        seen.add(key);
        forgotten += await this.pumping.forget(message.accountId, number, message.country);
      }
    }

    return forgotten;
  }
}
