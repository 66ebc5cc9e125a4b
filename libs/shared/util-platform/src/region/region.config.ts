import { InvalidConfigError } from '../config/invalid-config.error';

/** A region's name: lower-case, short, the same in every region's configuration (it is in every id). */
const REGION_NAME = /^[a-z][a-z0-9-]{0,15}$/;
/** ISO 3166-1 alpha-2, as libphonenumber reports a recipient's country. */
const COUNTRY = /^[A-Z]{2}$/;

/**
 * Where this deployment sits among the gateway's regions (docs/regions.md, ADR 0021). Absent (`REGION`
 * unset): one region, today's behaviour exactly: ids are plain UUIDv7 and nothing is forwarded.
 */
export interface RegionConfig {
  /** This deployment's region; null when regions are off. */
  readonly region: string | null;
  /** Every region by name, with the base URL of its intake (where a request for it is forwarded). */
  readonly regions: ReadonlyMap<string, RegionEndpoint>;
  /** Recipient country → region, for accounts without a data-residency setting. */
  readonly countryRegions: ReadonlyMap<string, string>;
  /** The region of a recipient country the map does not name. */
  readonly defaultRegion: string | null;
  /** Topic prefix of the global topics (the opt-out ledger's), shared by every region. */
  readonly globalTopicPrefix: string;
  /** The global database of accounts, API keys and opt-outs; empty: this deployment's own database. */
  readonly globalMysqlUrl: string;
}

export interface RegionEndpoint {
  readonly name: string;
  /** Stable one-byte code carried in the region's message ids (see region-id.ts). */
  readonly code: number;
  readonly intakeUrl: string;
}

export const SINGLE_REGION: RegionConfig = {
  region: null,
  regions: new Map(),
  countryRegions: new Map(),
  defaultRegion: null,
  globalTopicPrefix: '',
  globalMysqlUrl: '',
};

/**
 * A region's id code: FNV-1a of its name folded to 1..255. Derived, not numbered by hand, so every
 * region's configuration agrees without a registry; two names that collide are refused at boot.
 */
export function regionCode(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }

  return (hash % 255) + 1;
}

/**
 * Reads REGION, REGIONS, REGION_COUNTRY_MAP, REGION_DEFAULT, KAFKA_GLOBAL_TOPIC_PREFIX and GLOBAL_MYSQL_URL;
 * throws InvalidConfigError naming every bad variable. REGION unset and the others too: single region.
 */
export function loadRegionConfig(env: Record<string, string | undefined>): RegionConfig {
  const value = (key: string): string => (env[key] ?? '').trim();
  const problems: string[] = [];
  const region = value('REGION');
  const dependent = [
    'REGIONS',
    'REGION_COUNTRY_MAP',
    'REGION_DEFAULT',
    'KAFKA_GLOBAL_TOPIC_PREFIX',
    'GLOBAL_MYSQL_URL',
  ];
  if (region === '') {
    const stray = dependent.filter((key) => value(key) !== '');
    if (stray.length > 0) {
      throw new InvalidConfigError(`Invalid environment variables: ${stray.join(', ')} set without REGION`);
    }

    return SINGLE_REGION;
  }
  if (!REGION_NAME.test(region)) {
    problems.push(`REGION=${region} (must be 1-16 of a-z 0-9 -, starting with a letter)`);
  }
  const regions = parseRegions(value('REGIONS'), problems);
  if (REGION_NAME.test(region) && regions.size > 0 && !regions.has(region)) {
    problems.push(`REGION=${region} (not one of REGIONS: ${[...regions.keys()].join(', ')})`);
  }
  const countryRegions = parseCountryMap(value('REGION_COUNTRY_MAP'), regions, problems);
  const defaultRegion = value('REGION_DEFAULT') || region;
  if (value('REGION_DEFAULT') !== '' && !regions.has(defaultRegion)) {
    problems.push(`REGION_DEFAULT=${defaultRegion} (not one of REGIONS)`);
  }
  const globalTopicPrefix = value('KAFKA_GLOBAL_TOPIC_PREFIX');
  if (!/^[a-zA-Z0-9._-]{1,64}$/.test(globalTopicPrefix)) {
    problems.push(
      'KAFKA_GLOBAL_TOPIC_PREFIX (required with REGION: 1-64 of a-z A-Z 0-9 . _ -, the same in every region)',
    );
  }
  const globalMysqlUrl = value('GLOBAL_MYSQL_URL');
  if (globalMysqlUrl !== '' && !/^mysql:\/\//.test(globalMysqlUrl)) {
    problems.push('GLOBAL_MYSQL_URL (must be a mysql:// URL)');
  }
  if (problems.length > 0) {
    throw new InvalidConfigError(`Invalid environment variables: ${problems.join('; ')}`);
  }

  return { region, regions, countryRegions, defaultRegion, globalTopicPrefix, globalMysqlUrl };
}

/** `REGIONS=eu=https://intake.eu.example,us=https://intake.us.example`: at least this one, names unique. */
function parseRegions(text: string, problems: string[]): Map<string, RegionEndpoint> {
  const regions = new Map<string, RegionEndpoint>();
  if (text === '') {
    problems.push('REGIONS (required with REGION: name=intake base URL, comma-separated)');

    return regions;
  }
  const codes = new Map<number, string>();
  for (const entry of text.split(',')) {
    const at = entry.indexOf('=');
    const name = entry.slice(0, at).trim();
    const url = entry.slice(at + 1).trim();
    if (at < 1 || !REGION_NAME.test(name) || !isHttpUrl(url)) {
      problems.push(`REGIONS entry "${entry.trim()}" (must be name=http(s) URL, name 1-16 of a-z 0-9 -)`);
      continue;
    }
    if (regions.has(name)) {
      problems.push(`REGIONS names ${name} twice`);
      continue;
    }
    const code = regionCode(name);
    const clash = codes.get(code);
    if (clash !== undefined) {
      problems.push(`REGIONS: ${clash} and ${name} share id code ${code}; rename one`);
      continue;
    }
    codes.set(code, name);
    regions.set(name, { name, code, intakeUrl: url.replace(/\/+$/, '') });
  }

  return regions;
}

/** `REGION_COUNTRY_MAP=DE=eu,FR=eu,US=us`: each country once, each region one of REGIONS. */
function parseCountryMap(text: string, regions: ReadonlyMap<string, RegionEndpoint>, problems: string[]) {
  const map = new Map<string, string>();
  if (text === '') {
    return map;
  }
  for (const entry of text.split(',')) {
    const [country = '', region = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (rest.length > 0 || !COUNTRY.test(country) || !regions.has(region)) {
      problems.push(`REGION_COUNTRY_MAP entry "${entry.trim()}" (must be CC=region, region one of REGIONS)`);
      continue;
    }
    if (map.has(country)) {
      problems.push(`REGION_COUNTRY_MAP names ${country} twice`);
      continue;
    }
    map.set(country, region);
  }

  return map;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);

    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** True when `name` is a region this deployment knows (a data-residency setting must be one). */
export const isKnownRegion = (config: RegionConfig, name: string): boolean => config.regions.has(name);
