import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * "Participant P uses pool number N in session S" while S is active. The primary key (participant,
 * pool_number) is the rule "no participant has two active sessions on the same number", enforced by
 * the database: two creations racing for the last free number both try to insert the same key and
 * exactly one wins. Rows are deleted when the session closes, returning the number to the pool.
 * It is also the inbound lookup: (sender of the MO, number texted) → session.
 */
@Entity({ name: 'mask_assignments' })
@Index('ix_mask_assignments_mask', ['maskId'])
export class MaskAssignmentEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  participant!: string;

  @PrimaryColumn({ name: 'pool_number', type: 'varchar', length: 32 })
  poolNumber!: string;

  @Column({ name: 'mask_id', type: 'varchar', length: 36 })
  maskId!: string;
}
