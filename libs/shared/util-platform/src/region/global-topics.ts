import { TOPICS } from '@sms/contracts';

/**
 * The topics every region shares, under KAFKA_GLOBAL_TOPIC_PREFIX (docs/regions.md):
 * - the opt-out ledger: a STOP must block sends in every region, and its compacted topic is what every
 *   region's replicas read;
 * - erasure commands and reports: a person's data is in every region that sent to them, so every region's
 *   services must apply a command wherever it was asked, and report back to the intake that asked.
 *   Commands carry the number sealed and reports carry counts only, so neither moves message data.
 * Everything else (messages, their events, receipts, masks) stays in the region that owns it. In the embedded
 * mode the same set is what each region forwards to its peers (docs/regions.md, "Embedded mode").
 */
export const GLOBAL_TOPICS: ReadonlySet<string> = new Set([TOPICS.optout, TOPICS.privacy, TOPICS.privacyReport]);
