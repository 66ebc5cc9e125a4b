import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One erasure request (docs/privacy.md): who asked, for which person (only the erasure token, never the
 * number), which slices must report, and when all had. Kept as the record that the erasure happened.
 */
@Entity({ name: 'privacy_erasures' })
@Index('ix_privacy_erasures_account_created', ['accountId', 'createdAt'])
export class PrivacyErasureEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** The erasure token of the number (`e:` + salted HMAC): the same person's erasures share it. */
  @Column({ name: 'number_hash', type: 'varchar', length: 16 })
  numberHash!: string;

  /** The API key that asked. */
  @Column({ name: 'requested_by', type: 'varchar', length: 36 })
  requestedBy!: string;

  /** `pending` until every expected slice reported, then `completed`. */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** The slices that must report, comma-separated (ERASURE_SLICES, `archives` only when an archive is bound). */
  @Column({ name: 'expected_slices', type: 'varchar', length: 255 })
  expectedSlices!: string;

  /**
   * The regions that must report each slice, comma-separated (REGIONS when the erasure was asked); `''`: a
   * deployment without regions, whose reports name none.
   */
  @Column({ name: 'expected_regions', type: 'varchar', length: 255, default: '' })
  expectedRegions!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'datetime', precision: 3, nullable: true })
  completedAt!: Date | null;
}

/**
 * One region's report of one slice for one erasure: rows (or keys, or files) changed per store, JSON. The
 * first one counts.
 */
@Entity({ name: 'privacy_erasure_slices' })
export class PrivacyErasureSliceEntity {
  @PrimaryColumn({ name: 'erasure_id', type: 'varchar', length: 36 })
  erasureId!: string;

  /** The region that erased; `''` without regions. */
  @PrimaryColumn({ type: 'varchar', length: 16, default: '' })
  region!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  slice!: string;

  @Column({ type: 'text' })
  stores!: string;

  @Column({ name: 'erased_at', type: 'datetime', precision: 3 })
  erasedAt!: Date;
}
