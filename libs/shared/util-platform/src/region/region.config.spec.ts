import { InvalidConfigError } from '../config/app.config';
import { decideRegion } from './region-decision';
import { messageIdMinter, regionCodeOfId, regionOfId } from './region-id';
import { loadRegionConfig, regionCode, SINGLE_REGION } from './region.config';

const TWO_REGIONS = {
  REGION: 'eu',
  REGIONS: 'eu=http://intake.eu:3000/,us=https://intake.us.example',
  REGION_COUNTRY_MAP: 'DE=eu,FR=eu,US=us',
  REGION_DEFAULT: 'us',
  KAFKA_GLOBAL_TOPIC_PREFIX: 'global.',
  GLOBAL_MYSQL_URL: 'mysql://root@127.0.0.1:3306/sms_global',
};

describe('region configuration', () => {
  it('is single-region, exactly as before, when REGION is unset', () => {
    expect(loadRegionConfig({})).toBe(SINGLE_REGION);
    expect(messageIdMinter(SINGLE_REGION)()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('reads the regions, their intakes, the country map and the default', () => {
    const config = loadRegionConfig(TWO_REGIONS);
    expect(config.region).toBe('eu');
    expect(config.regions.get('eu')).toEqual({
      name: 'eu',
      code: regionCode('eu'),
      intakeUrl: 'http://intake.eu:3000',
    });
    expect(config.regions.get('us')?.intakeUrl).toBe('https://intake.us.example');
    expect([...config.countryRegions]).toEqual([
      ['DE', 'eu'],
      ['FR', 'eu'],
      ['US', 'us'],
    ]);
    expect(config.defaultRegion).toBe('us');
    expect(config.globalTopicPrefix).toBe('global.');
    expect(config.globalMysqlUrl).toBe('mysql://root@127.0.0.1:3306/sms_global');
  });

  it.each([
    [{ REGIONS: 'eu=http://a' }, /REGIONS set without REGION/],
    [{ ...TWO_REGIONS, REGION: 'EU!' }, /REGION=EU!/],
    [{ ...TWO_REGIONS, REGION: 'ap' }, /REGION=ap \(not one of REGIONS: eu, us\)/],
    [{ ...TWO_REGIONS, REGIONS: '' }, /REGIONS \(required with REGION/],
    [{ ...TWO_REGIONS, REGIONS: 'eu=ftp://x,us=http://y' }, /REGIONS entry "eu=ftp:\/\/x"/],
    [{ ...TWO_REGIONS, REGIONS: 'eu=http://x,eu=http://y' }, /REGIONS names eu twice/],
    [{ ...TWO_REGIONS, REGION_COUNTRY_MAP: 'DE=ap' }, /REGION_COUNTRY_MAP entry "DE=ap"/],
    [{ ...TWO_REGIONS, REGION_COUNTRY_MAP: 'de=eu' }, /REGION_COUNTRY_MAP entry "de=eu"/],
    [{ ...TWO_REGIONS, REGION_COUNTRY_MAP: 'DE=eu,DE=us' }, /REGION_COUNTRY_MAP names DE twice/],
    [{ ...TWO_REGIONS, REGION_DEFAULT: 'ap' }, /REGION_DEFAULT=ap/],
    [{ ...TWO_REGIONS, KAFKA_GLOBAL_TOPIC_PREFIX: '' }, /KAFKA_GLOBAL_TOPIC_PREFIX \(required with REGION/],
    [{ ...TWO_REGIONS, GLOBAL_MYSQL_URL: 'postgres://x' }, /GLOBAL_MYSQL_URL \(must be a mysql/],
  ])('refuses %j at boot, naming the variable', (env, message) => {
    expect(() => loadRegionConfig(env)).toThrow(InvalidConfigError);
    expect(() => loadRegionConfig(env)).toThrow(message);
  });
});

describe('regional message ids', () => {
  const eu = loadRegionConfig(TWO_REGIONS);
  const us = loadRegionConfig({ ...TWO_REGIONS, REGION: 'us' });

  it('carry the minting region, which every region reads back from the id alone', () => {
    const id = messageIdMinter(eu)();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(regionCodeOfId(id)).toBe(regionCode('eu'));
    expect(regionOfId(eu, id)).toBe('eu');
    expect(regionOfId(us, id)).toBe('eu');
    expect(regionOfId(eu, messageIdMinter(us)())).toBe('us');
  });

  it('keep the UUIDv7 time and order, and stay unique', () => {
    const mint = messageIdMinter(eu);
    const before = Date.now();
    const ids = Array.from({ length: 2000 }, () => mint());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const millis = parseInt(ids[0]!.slice(0, 8) + ids[0]!.slice(9, 13), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(Date.now());
  });

  it('name no region for a plain UUIDv7 or an unknown code', () => {
    expect(regionOfId(eu, '01890a5d-ac96-774b-bcce-b302099a8057')).toBeNull();
    expect(regionOfId(eu, '01890a5d-ac96-874b-bcce-b30209900000')).toBeNull();
  });

  it('have distinct codes for distinct names', () => {
    expect(regionCode('eu')).not.toBe(regionCode('us'));
    expect(regionCode('eu')).toBeGreaterThanOrEqual(1);
    expect(regionCode('eu')).toBeLessThanOrEqual(255);
  });
});

describe('the region of a new message', () => {
  const eu = loadRegionConfig(TWO_REGIONS);

  it("follows the account's data residency first, whatever the recipient's country", () => {
    expect(decideRegion(eu, 'eu', 'US')).toBe('eu');
    expect(decideRegion(eu, 'us', 'DE')).toBe('us');
  });

  it('else the country map, else the default region', () => {
    expect(decideRegion(eu, null, 'FR')).toBe('eu');
    expect(decideRegion(eu, null, 'US')).toBe('us');
    expect(decideRegion(eu, null, 'JP')).toBe('us');
    expect(decideRegion(eu, null, null)).toBe('us');
    // A residency naming a region no longer configured falls back to the map rather than failing sends.
    expect(decideRegion(eu, 'ap', 'DE')).toBe('eu');
  });

  it('is no region at all with regions off', () => {
    expect(decideRegion(SINGLE_REGION, 'eu', 'DE')).toBeNull();
  });
});
