import type { HealthCounts } from '../../state/routing-state';
import type { RouteDecider, RouteRequest } from '../decision/route-decider';
import type { RoutePlan } from '../decision/route-plan';
import { isNetworkRate, networkKey } from '../snapshot/network-rates';
import type { RouteSnapshot } from '../snapshot/route-snapshot';

/** The plans made over one snapshot with one health map. */
interface Shelf {
  readonly health: ReadonlyMap<string, HealthCounts>;
  readonly plans: Map<string, RoutePlan>;
}

/** Where a snapshot keeps its shelf (RouteSnapshot.derived), so the plans are collected with it. */
const SHELF = 'plans';

/**
 * Shapes are few (countries × classes × segments × matched prefixes × the odd avoided provider); the
 * bound only stops a flood of distinct explicit `from` values from growing a snapshot's shelf. Past it,
 * plans are still made, just not kept.
 */
export const MAX_PLANS_PER_SHELF = 4_096;

const NO_PROBES: ReadonlySet<string> = new Set();
/** Between the key's fields: provider ids, classes, countries and digits never hold it. */
const SEP = '\u0001';
/** No rate of the country matches the destination. */
const NO_PREFIX = '-';

/**
 * Plans reused by every message of the same shape while the snapshot and the health map stay the same
 * objects (the engine's caches keep both for their TTLs). A new snapshot has no shelf yet; a new health
 * map replaces the snapshot's shelf, so a plan never outlives either input.
 */
export class RoutePlans {
  constructor(private readonly decider: RouteDecider) {}

  plan(
    request: RouteRequest,
    snapshot: RouteSnapshot,
    health: ReadonlyMap<string, HealthCounts>,
    probes: ReadonlySet<string> = NO_PROBES,
  ): RoutePlan {
    let shelf = snapshot.derived.get(SHELF) as Shelf | undefined;
    if (shelf?.health !== health) {
      shelf = { health, plans: new Map() };
      snapshot.derived.set(SHELF, shelf);
    }
    const key = planKey(request, snapshot, probes);
    let plan = shelf.plans.get(key);
    if (plan === undefined) {
      plan = this.decider.plan(request, snapshot, health, probes);
      if (shelf.plans.size < MAX_PLANS_PER_SHELF) {
        shelf.plans.set(key, plan);
      }
    }

    return plan;
  }
}

/**
 * What a plan depends on in the request. The destination counts only through the rates it matches: the
 * matching prefixes are all prefixes of the longest one that matches, so that one prefix names the set;
 * network rates through the destination's network.
 * `from` goes last, as the one free-form field.
 */
function planKey(request: RouteRequest, snapshot: RouteSnapshot, probes: ReadonlySet<string>): string {
  let key =
    request.country +
    SEP +
    longestMatchingPrefix(request, snapshot) +
    SEP +
    networkKey(request.network) +
    SEP +
    request.messageClass +
    SEP +
    request.segments +
    SEP +
    (request.pinProvider ?? '') +
    SEP +
    request.avoidProviders.join(',') +
    SEP +
    (request.excludeProviders?.join(',') ?? '');
  for (const probe of probes) {
    key += SEP + probe;
  }

  return key + SEP + (request.from === null ? '' : `=${request.from}`);
}

/** Prefix rates are sorted longest prefix first (buildRouteSnapshot): the first match is the longest. */
function longestMatchingPrefix(request: RouteRequest, snapshot: RouteSnapshot): string {
  const offset = request.to.startsWith('+') ? 1 : 0;
  for (const rate of snapshot.ratesByCountry.get(request.country) ?? []) {
    // A network rate depends on the network, which is a key part of its own.
    if (!isNetworkRate(rate) && request.to.startsWith(rate.prefix, offset)) {
      return rate.prefix;
    }
  }

  return NO_PREFIX;
}
