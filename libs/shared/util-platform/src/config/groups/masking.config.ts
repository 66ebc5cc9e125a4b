import type { SettingsReader } from '@sms/config-kit';

/** `config.masking`: the masking service's pool and schedule. */
export interface MaskingGroup {
  /** E.164 pool numbers seeded into an empty pool (default: the simulator's numbers). */
  readonly poolNumbers: readonly string[];
  /** Reply to a stranger texting a pool number; empty sends nothing. */
  readonly strangerReply: string;
  /** How often expired sessions are closed and their numbers returned to the pool. */
  readonly sweepIntervalMs: number;
}

const E164 = /^\+[1-9]\d{1,14}$/;

export function readMaskingGroup(read: SettingsReader): MaskingGroup {
  const given = read.list('MASK_POOL_NUMBERS', { item: E164, problem: 'must be comma-separated E.164 numbers' });

  return {
    poolNumbers: given.length > 0 ? given : ['+12025550160', '+12025550161', '+12025550162'],
    strangerReply: read.string('MASK_STRANGER_REPLY', { default: '' }),
    sweepIntervalMs: read.int('MASK_SWEEP_INTERVAL_MS', {
      default: 10_000,
      min: 100,
      max: Number.MAX_SAFE_INTEGER,
      unit: 'ms',
    }),
  };
}
