import type { DataSource } from 'typeorm';
import { PhoneNumberEntity } from '../database/entities/phone-number.entity';
import { ProviderEntity } from '../database/entities/provider.entity';
import { RouteRateEntity } from '../database/entities/route-rate.entity';

export interface RateCandidate {
  readonly providerId: string;
  readonly price: string;
  readonly currency: string;
}

/** Everything a routing decision reads, loaded at once and cached so a decision costs no I/O. */
export interface RouteSnapshot {
  /** Active providers' rates per destination country, cheapest first. */
  readonly ratesByCountry: ReadonlyMap<string, readonly RateCandidate[]>;
  /** Active senders per provider. */
  readonly numbersByProvider: ReadonlyMap<string, readonly PhoneNumberEntity[]>;
  readonly loadedAt: number;
}

/** The cache lifetime: pool and price changes reach routing within this (architecture.md: ~10 s). */
export const SNAPSHOT_TTL_MS = 10_000;

export async function loadRouteSnapshot(dataSource: DataSource): Promise<RouteSnapshot> {
  const [providers, numbers, rates] = await Promise.all([
    dataSource.getRepository(ProviderEntity).findBy({ active: true }),
    dataSource.getRepository(PhoneNumberEntity).find({ where: { active: true }, order: { number: 'ASC' } }),
    dataSource.getRepository(RouteRateEntity).find(),
  ]);
  const active = new Set(providers.map((p) => p.id));
  const ratesByCountry = new Map<string, RateCandidate[]>();
  for (const rate of rates) {
    if (!active.has(rate.providerId)) {
      continue;
    }
    const list = ratesByCountry.get(rate.country) ?? [];
    list.push({ providerId: rate.providerId, price: rate.price, currency: rate.currency });
    ratesByCountry.set(rate.country, list);
  }
  for (const list of ratesByCountry.values()) {
    list.sort((a, b) => Number(a.price) - Number(b.price) || a.providerId.localeCompare(b.providerId));
  }
  const numbersByProvider = new Map<string, PhoneNumberEntity[]>();
  for (const number of numbers) {
    if (active.has(number.providerId)) {
      const list = numbersByProvider.get(number.providerId) ?? [];
      list.push(number);
      numbersByProvider.set(number.providerId, list);
    }
  }

  return { ratesByCountry, numbersByProvider, loadedAt: Date.now() };
}
