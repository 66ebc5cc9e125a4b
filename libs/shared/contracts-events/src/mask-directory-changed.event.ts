import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/**
 * `sms.mask.v1` (compacted): the state of one masking pool number (`kind: pool`, keyed `pool|<number>`)
 * or of one participant's use of a pool number (`kind: assignment`, keyed `<participant>|<number>`).
 * Intake keeps a replica to resolve `POST /v1/messages` sent to a masked number without reading the
 * masking service's tables.
 */
export class MaskDirectoryChangedV1 {
  @IsIn(['pool', 'assignment'])
  kind!: 'pool' | 'assignment';

  @IsString()
  @MaxLength(32)
  poolNumber!: string;

  /** False: the pool number was withdrawn, or the session closed. */
  @IsBoolean()
  active!: boolean;

  /** assignment: the participant who texts `poolNumber`. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  participant?: string | null;

  @IsOptional()
  @IsUUID()
  maskId?: string | null;

  /** assignment: the other party's real number (where the participant's messages go). */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  destination?: string | null;

  /** assignment: the other party's masked number (the sender they see). */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  sender?: string | null;

  @IsOptional()
  @IsISO8601()
  expiresAt?: string | null;

  /** assignment: the account that owns the session; absent: DEFAULT_ACCOUNT_ID. */
  @IsOptional()
  @IsString()
  @MaxLength(36)
  accountId?: string | null;

  @IsISO8601()
  occurredAt!: string;
}

export const maskDirectoryKey = (
  change: Pick<MaskDirectoryChangedV1, 'kind' | 'poolNumber' | 'participant'>,
): string =>
  change.kind === 'pool' ? `pool|${change.poolNumber}` : `${change.participant ?? ''}|${change.poolNumber}`;
