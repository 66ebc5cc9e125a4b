import type { RegionConfig } from './region.config';

/**
 * The region a new message belongs to, decided once at intake: the account's data-residency setting
 * first (a contract says where its data lives, whoever it writes to), else the recipient's country by
 * REGION_COUNTRY_MAP, else REGION_DEFAULT. Null when regions are off.
 */
export function decideRegion(
  config: RegionConfig,
  accountResidency: string | null,
  recipientCountry: string | null,
): string | null {
  if (config.region === null) {
    return null;
  }
  if (accountResidency !== null && config.regions.has(accountResidency)) {
    return accountResidency;
  }
  const byCountry = recipientCountry === null ? undefined : config.countryRegions.get(recipientCountry);

  return byCountry ?? config.defaultRegion ?? config.region;
}
