/** Injection tokens of the ports every service module uses; their adapters depend on the run mode. */
export const APP_CONFIG = Symbol('APP_CONFIG');
/** `config.providers`: the provider adapters' slices (ProvidersConfig). */
export const PROVIDERS_CONFIG = Symbol('PROVIDERS_CONFIG');
export const BUS = Symbol('BUS');
export const KV_STORE = Symbol('KV_STORE');
export const CLOCK = Symbol('CLOCK');

/** Time as a port, so retry schedules and expiry are testable without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** This deployment's region and the others' (RegionConfig, docs/regions.md); single-region when unset. */
export const REGION_CONFIG = Symbol('REGION_CONFIG');
