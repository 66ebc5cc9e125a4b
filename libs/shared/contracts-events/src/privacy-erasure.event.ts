import { IsIn, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

/**
 * The slices of the gateway that keep a person's number or message bodies, one per owning service, plus the
 * archives. An erasure is complete once each slice it expected has reported (docs/privacy.md).
 */
export const ERASURE_SLICES = [
  'intake',
  'router',
  'send-worker',
  'dlr-ingest',
  'dlr-processor',
  'masking',
  'opt-out',
  'archives',
] as const;
export type ErasureSlice = (typeof ERASURE_SLICES)[number];

/**
 * `sms.privacy.v1`: erase one person's number everywhere, in every region (a global topic). The number is sealed (AES-256-GCM under a key
 * derived from PRIVACY_SALT), so the topic, its DLQ and any copy of it never hold it in clear; `token` is what
 * each slice writes in place of the number (`erasureTokenOf`), computed once by intake.
 */
export class ErasureRequestedV1 {
  @IsUUID()
  erasureId!: string;

  /** The number (E.164), sealed: base64url of iv, tag and ciphertext. */
  @IsString()
  @MaxLength(256)
  sealedNumber!: string;

  @IsString()
  @Matches(/^e:[A-Za-z0-9_-]{14}$/)
  token!: string;

  @IsISO8601()
  requestedAt!: string;
}

/** `sms.privacy.report.v1`: what one slice erased for one command: rows (or keys, or files) per store. */
export class ErasureReportedV1 {
  @IsUUID()
  erasureId!: string;

  @IsIn(ERASURE_SLICES)
  slice!: ErasureSlice;

  /** Store name (a table, `redis:<key family>`, `archive files`) → rows or keys changed. */
  @IsObject()
  stores!: Record<string, number>;

  /**
   * The region whose stores the slice erased (docs/regions.md): every region applies every command, so one
   * erasure gets a report per region and slice. Null or absent: a deployment without regions.
   */
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,15}$/)
  region?: string | null;

  @IsISO8601()
  erasedAt!: string;
}

/** A count in {@link ErasureReportedV1.stores}; checked when a report is applied. */
export function isStoreCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
