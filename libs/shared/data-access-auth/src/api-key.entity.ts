import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An API key, stored only as its SHA-256 hash (keys are 192-bit random, so a plain hash suffices). */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('uq_api_keys_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash!: string;

  /** First characters of the key, shown in listings so operators can tell keys apart. */
  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  /** The account the key acts for (DEFAULT_ACCOUNT_ID for keys created before accounts existed). */
  @Column({ name: 'account_id', type: 'varchar', length: 36, default: DEFAULT_ACCOUNT_ID })
  accountId!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  /** Comma-separated scopes: send, read, admin, operator. */
  @Column({ type: 'varchar', length: 64 })
  scopes!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;
}
