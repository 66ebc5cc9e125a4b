import { v7 as uuidv7 } from 'uuid';
import type { RegionConfig } from './region.config';

/**
 * A regional message id: a UUIDv7 (time-ordered, its first 48 bits Unix milliseconds) with version 8 (RFC
 * 9562's custom layout) and the region's code in its last byte, so any intake reads a message's region from
 * its id alone, with no global lookup. Ids without a region (version 7: single-region deployments, ids made
 * before regions) belong to the region that holds them.
 */
const REGIONAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A new message id: plain UUIDv7 when regions are off, else carrying this region's code. */
export function messageIdMinter(config: RegionConfig): () => string {
  const own = config.region === null ? undefined : config.regions.get(config.region);
  if (own === undefined) {
    return () => uuidv7();
  }
  const suffix = own.code.toString(16).padStart(2, '0');

  // Version nibble at index 14; the last two hex digits were random (the v7 counter sits in earlier bits).
  return () => {
    const id = uuidv7();

    return `${id.slice(0, 14)}8${id.slice(15, 34)}${suffix}`;
  };
}

/** The region code an id carries, or null for an id without one. */
export function regionCodeOfId(id: string): number | null {
  return REGIONAL_ID.test(id) ? parseInt(id.slice(34), 16) : null;
}

/**
 * The region that owns a message id: its named region when the id carries a known code, else null (the
 * id has no region, or names one this deployment does not know: both are looked up here).
 */
export function regionOfId(config: RegionConfig, id: string): string | null {
  const code = regionCodeOfId(id);
  if (code === null) {
    return null;
  }
  for (const endpoint of config.regions.values()) {
    if (endpoint.code === code) {
      return endpoint.name;
    }
  }

  return null;
}
