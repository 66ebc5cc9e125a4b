import { TOPICS } from '@sms/contracts';

/**
 * The topics every region shares, under KAFKA_GLOBAL_TOPIC_PREFIX (docs/regions.md). Only the opt-out ledger:
 * a STOP must block sends in every region, and its compacted topic is what every region's replicas read.
 * Everything else (messages, their events, receipts, masks) stays in the region that owns it.
 */
export const GLOBAL_TOPICS: ReadonlySet<string> = new Set([TOPICS.optout]);
