import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What a provider charges per segment to a destination country, or to a dialling prefix inside it
 * (`prefix` = E.164 digits such as `447` for UK mobiles; empty for the whole country), or to one mobile
 * network there (`mcc`/`mnc`, known from a number lookup: a ported number keeps its prefix). A rate of
 * the destination's network wins over any prefix rate; among those, the longest matching prefix wins.
 */
@Entity({ name: 'route_rates' })
@Index('uq_route_rates_provider_country', ['providerId', 'country', 'prefix', 'mcc', 'mnc'], { unique: true })
/** A cold routing decision reads one country's rates (SqlRoutePool). */
@Index('ix_route_rates_country', ['country'])
export class RouteRateEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 64 })
  providerId!: string;

  @Column({ type: 'varchar', length: 2 })
  country!: string;

  @Column({ type: 'varchar', length: 15, default: '' })
  prefix!: string;

  /** Mobile country code of the network this rate is for; '' for any network. */
  @Column({ type: 'varchar', length: 3, default: '' })
  mcc!: string;

  /** Mobile network code; '' with `mcc` '' (any network). */
  @Column({ type: 'varchar', length: 3, default: '' })
  mnc!: string;

  /** Decimal string, never a float: money. */
  @Column({ type: 'varchar', length: 16 })
  price!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;
}
