/** Version 7, or 8: a regional message id keeps the v7 layout with its region in the last byte (region-id.ts). */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-[78][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The creation time a UUIDv7 carries (its first 48 bits are Unix milliseconds), or null for any other
 * id. Message ids the gateway makes are UUIDv7; ids producers choose on `sms.send.v1` may be anything.
 */
export function uuidV7Time(id: string): Date | null {
  if (!UUID_V7.test(id)) {
    return null;
  }

  return new Date(parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
}
