import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Route quality per hour: the roll-up that scoring over days reads and that outlives a restart. One row
 * per (provider, country, network, hour); every column is a count that flushes add to (`col = col + ?`),
 * so several replicas' buckets of one hour sum up. `lat_<i>` is the receipt-latency histogram's bin i
 * (routing/quality/quality-counts.ts: LATENCY_BOUNDS_MS).
 */
@Entity({ name: 'route_quality_hourly' })
export class RouteQualityHourlyEntity {
  @PrimaryColumn({ name: 'provider_id', type: 'varchar', length: 64 })
  providerId!: string;

  @PrimaryColumn({ type: 'varchar', length: 2 })
  country!: string;

  /** MCC+MNC when the send knew the network, else ''. */
  @PrimaryColumn({ type: 'varchar', length: 6, default: '' })
  network!: string;

  /** Start of the hour, epoch milliseconds (UTC). */
  @PrimaryColumn({ name: 'hour_start', type: 'bigint' })
  hourStart!: string;

  @Column({ type: 'integer', default: 0 })
  sent!: number;

  @Column({ type: 'integer', default: 0 })
  delivered!: number;

  @Column({ type: 'integer', default: 0 })
  undelivered!: number;

  @Column({ type: 'integer', default: 0 })
  overdue!: number;

  @Column({ name: 'err_transient', type: 'integer', default: 0 })
  errTransient!: number;

  @Column({ name: 'err_permanent', type: 'integer', default: 0 })
  errPermanent!: number;

  @Column({ name: 'err_opted_out', type: 'integer', default: 0 })
  errOptedOut!: number;

  @Column({ name: 'err_configuration', type: 'integer', default: 0 })
  errConfiguration!: number;

  @Column({ name: 'err_other', type: 'integer', default: 0 })
  errOther!: number;

  @Column({ name: 'lat_0', type: 'integer', default: 0 })
  lat0!: number;

  @Column({ name: 'lat_1', type: 'integer', default: 0 })
  lat1!: number;

  @Column({ name: 'lat_2', type: 'integer', default: 0 })
  lat2!: number;

  @Column({ name: 'lat_3', type: 'integer', default: 0 })
  lat3!: number;

  @Column({ name: 'lat_4', type: 'integer', default: 0 })
  lat4!: number;

  @Column({ name: 'lat_5', type: 'integer', default: 0 })
  lat5!: number;

  @Column({ name: 'lat_6', type: 'integer', default: 0 })
  lat6!: number;

  @Column({ name: 'lat_7', type: 'integer', default: 0 })
  lat7!: number;

  @Column({ name: 'lat_8', type: 'integer', default: 0 })
  lat8!: number;

  @Column({ name: 'lat_9', type: 'integer', default: 0 })
  lat9!: number;

  @Column({ name: 'lat_10', type: 'integer', default: 0 })
  lat10!: number;

  @Column({ name: 'lat_11', type: 'integer', default: 0 })
  lat11!: number;

  @Column({ name: 'lat_12', type: 'integer', default: 0 })
  lat12!: number;

  @Column({ name: 'lat_13', type: 'integer', default: 0 })
  lat13!: number;

  @Column({ name: 'lat_14', type: 'integer', default: 0 })
  lat14!: number;
}
