import { isSupportedCountryCode } from '@sms/phone';
import { notFound, unprocessable } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { NumberLookupSettingEntity } from '../database/entities/number-lookup-setting.entity';
import { BOOLEAN, LOOKUP_TTL_SECONDS, optional, readBody, required } from '../operator/operator-input';
import type { LookupSettingView } from '../operator/operator.views';

/** How long an answer is kept unless the operator says otherwise: numbers are ported rarely. */
export const DEFAULT_LOOKUP_TTL_SECONDS = 30 * 24 * 3_600;

/**
 * The operator API over the per-country lookup settings (`/v1/routes/lookups`). Every change calls `changed()`,
 * like the rest of the pool, so routing reads the new setting at once here and within a second elsewhere.
 */
export class LookupSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly changed: () => Promise<void>,
    /** The lookup sources this deployment has (a setting naming another could never look anything up). */
    private readonly sources: () => readonly string[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<LookupSettingView[]> {
    const rows = await this.dataSource.getRepository(NumberLookupSettingEntity).find({ order: { country: 'ASC' } });

    return rows.map(settingView);
  }

  async put(countryParam: string, input: unknown): Promise<LookupSettingView> {
    const country = countryOf(countryParam);
    const body = readBody(input, ['enabled', 'provider', 'ttlSeconds']);
    const enabled = required(body, 'enabled', BOOLEAN);
    const provider = body['provider'] ?? 'twilio';
    const sources = this.sources();
    if (typeof provider !== 'string' || !sources.includes(provider)) {
      throw unprocessable(
        'UNKNOWN_LOOKUP_PROVIDER',
        `provider must be a configured lookup source: ${sources.join(', ') || 'none is configured'}`,
        'provider',
      );
    }
    const row: NumberLookupSettingEntity = {
      country,
      enabled,
      provider,
      ttlSeconds: optional(body, 'ttlSeconds', LOOKUP_TTL_SECONDS) ?? DEFAULT_LOOKUP_TTL_SECONDS,
      updatedAt: this.now(),
    };
    await this.dataSource.getRepository(NumberLookupSettingEntity).save(row);
    await this.changed();

    return settingView(row);
  }

  async remove(countryParam: string): Promise<void> {
    const result = await this.dataSource
      .getRepository(NumberLookupSettingEntity)
      .delete({ country: countryOf(countryParam) });
    if (!result.affected) {
      throw notFound('Lookup setting');
    }
    await this.changed();
  }
}

function countryOf(param: string): string {
  const country = param.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country) || !isSupportedCountryCode(country)) {
    throw unprocessable('INVALID_COUNTRY', 'country must be an ISO 3166-1 alpha-2 code such as GB', 'country');
  }

  return country;
}

const settingView = (r: NumberLookupSettingEntity): LookupSettingView => ({
  country: r.country,
  enabled: r.enabled,
  provider: r.provider,
  ttlSeconds: r.ttlSeconds,
  updatedAt: r.updatedAt.toISOString(),
});
