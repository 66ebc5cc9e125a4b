import { isMysql, uuidV7Time } from '@sms/persistence';
import { type DataSource, MoreThanOrEqual, type SelectQueryBuilder } from 'typeorm';
import { MessageEventEntity } from '../database/entities/message-event.entity';
import { SmsMessageEntity } from '../database/entities/sms-message.entity';
import { CREATED_AFTER_ID_MS, CREATED_BEFORE_ID_MS } from './partition-window';

/** Most events a read returns (GET /v1/messages/:id). */
export const EVENTS_PER_READ = 500;

/** Events happen after their message was accepted; the margin is for clock skew between the services. */
const EVENTS_BEFORE_MESSAGE_MS = 86_400_000;

/**
 * The ledger row of `id` in `accountId`. On MariaDB the ledger is partitioned by month (created_at), so the
 * query names the created_at window its UUIDv7 id implies and reads one partition, two at a month's edge.
 */
export function messageByIdQuery(
  dataSource: DataSource,
  id: string,
  accountId: string,
  prune = isMysql(dataSource),
): SelectQueryBuilder<SmsMessageEntity> {
  const query = dataSource
    .getRepository(SmsMessageEntity)
    .createQueryBuilder('m')
    .where('m.id = :id AND m.accountId = :accountId', { id, accountId });
  const time = prune ? uuidV7Time(id) : null;
  if (time) {
    query.andWhere('m.createdAt >= :from AND m.createdAt < :to', {
      from: new Date(time.getTime() - CREATED_BEFORE_ID_MS),
      to: new Date(time.getTime() + CREATED_AFTER_ID_MS),
    });
  }

  return query;
}

/**
 * The message, or null. A producer chooses its own ids on `sms.send.v1` (any UUID, made at any time): when
 * the window finds nothing, every partition is asked, so such a message is found too, at the cost of one
 * index probe per month.
 */
export async function findMessageById(
  dataSource: DataSource,
  id: string,
  accountId: string,
): Promise<SmsMessageEntity | null> {
  const pruned = messageByIdQuery(dataSource, id, accountId);
  const found = await pruned.getOne();
  if (found || uuidV7Time(id) === null || !isMysql(dataSource)) {
    return found;
  }

  return messageByIdQuery(dataSource, id, accountId, false).getOne();
}

/** The message's events in order, from the partitions of its lifetime only (message_events by occurred_at). */
export function eventsOf(dataSource: DataSource, message: SmsMessageEntity): Promise<MessageEventEntity[]> {
  const since = new Date(message.createdAt.getTime() - EVENTS_BEFORE_MESSAGE_MS);

  return dataSource.getRepository(MessageEventEntity).find({
    where: isMysql(dataSource)
      ? { messageId: message.id, occurredAt: MoreThanOrEqual(since) }
      : { messageId: message.id },
    order: { id: 'ASC' },
    take: EVENTS_PER_READ,
  });
}
