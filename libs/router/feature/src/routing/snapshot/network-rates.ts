import type { MobileNetwork } from '@sms/provider-port';

/**
 * Which rate applies to a destination once its mobile network may be known (number portability). A rate
 * for a network (MCC and MNC) applies only to numbers a lookup placed on that network, whatever their
 * prefix says (a ported number keeps the prefix of the network it left), and then wins over every prefix
 * rate; otherwise the longest matching prefix wins, as before.
 */

/** What precedence reads of a rate (a RateRow; kept structural so route-snapshot.ts can import this file). */
interface RateRow {
  readonly providerId: string;
  readonly prefix: string;
  readonly mcc?: string;
  readonly mnc?: string;
}

/** Network rates first (each provider's), then longest prefix first; ties in provider order. */
export function byRatePrecedence(a: RateRow, b: RateRow): number {
  return (
    Number(isNetworkRate(b)) - Number(isNetworkRate(a)) ||
    b.prefix.length - a.prefix.length ||
    a.providerId.localeCompare(b.providerId)
  );
}

export const isNetworkRate = (rate: RateRow): boolean => (rate.mcc ?? '') !== '';

/** Whether `rate` applies to the destination `digits` (E.164 without +) on `network` (null: not known). */
export function rateApplies(rate: RateRow, digits: string, network: MobileNetwork | null | undefined): boolean {
  if (!digits.startsWith(rate.prefix)) {
    return false;
  }
  if (!isNetworkRate(rate)) {
    return true;
  }

  return network !== null && network !== undefined && rate.mcc === network.mcc && rate.mnc === network.mnc;
}

/** The network as a plan key part and in texts: `234-30`, or '' when not known. */
export const networkKey = (network: MobileNetwork | null | undefined): string =>
  network ? `${network.mcc}-${network.mnc}` : '';

/** The network a rate is for, as explain shows it: `234-30`, or '' for a prefix rate. */
export const rateNetworkOf = (rate: RateRow): string => (isNetworkRate(rate) ? `${rate.mcc}-${rate.mnc}` : '');
