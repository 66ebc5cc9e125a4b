import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { DEFAULT_ACCOUNT_ID } from './accounts';

/** Where an opt-out change came from; kept in the audit trail. */
export const OPT_OUT_SOURCES = ['keyword', 'provider', 'api', 'replay', 'erasure'] as const;
export type OptOutSource = (typeof OPT_OUT_SOURCES)[number];

/**
 * `sms.optout.v1` (compacted): the current state of one opt-out entry. Keyed by {@link optOutKey}, so
 * compaction keeps exactly the latest state of every (recipient, sender) pair and a replica that reads
 * the topic from the beginning rebuilds the whole set.
 */
export class OptOutChangedV1 {
  /**
   * The account whose sends the entry blocks; {@link EVERY_ACCOUNT} blocks every account (STOPALL, or a
   * STOP whose account could not be told). Absent (records written before accounts): DEFAULT_ACCOUNT_ID.
   */
  @IsOptional()
  @IsString()
  @MaxLength(36)
  accountId?: string | null;

  /** The recipient (E.164) who opted out or back in. */
  @IsString()
  @MaxLength(32)
  number!: string;

  /** The sender number the entry applies to; null means every sender of the account. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  sender!: string | null;

  @IsBoolean()
  optedOut!: boolean;

  /**
   * The id of the confirmation reply the opt-out service sends with this change. Senders let exactly
   * that message through: carriers require the "you are unsubscribed" reply to reach an opted-out number.
   */
  @IsOptional()
  @IsUUID()
  exemptMessageId?: string | null;

  @IsIn(OPT_OUT_SOURCES)
  source!: OptOutSource;

  @IsISO8601()
  occurredAt!: string;
}

/** `accountId` of an entry that blocks the recipient for every account of the platform. */
export const EVERY_ACCOUNT = '*';

/**
 * The record key of an entry on `sms.optout.v1`: `*` stands for every sender. Entries of
 * DEFAULT_ACCOUNT_ID keep the key they had before accounts existed, so compaction (which orders states
 * per key) lets a new state of such an entry supersede the one written before the upgrade.
 */
export const optOutKey = (number: string, sender: string | null, accountId?: string | null): string => {
  const account = accountId ?? DEFAULT_ACCOUNT_ID;
  const entry = `${number}|${sender ?? '*'}`;

  return account === DEFAULT_ACCOUNT_ID ? entry : `${account}|${entry}`;
};
