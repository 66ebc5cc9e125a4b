/**
 * The router's gauges and counters, read by whoever exports metrics (Prometheus /metrics): plain
 * numbers behind small accessors, so the exporter needs no knowledge of routing.
 */
export class RoutingMetrics {
  private readonly backlog = new Map<string, number>();
  private readonly decisions = new Map<string, number>();

  /** Messages waiting in this replica for a route, per destination country (ISO alpha-2). */
  noRouteBacklog(): ReadonlyMap<string, number> {
    return this.backlog;
  }

  /** Decisions since start by outcome: route, no-route, refused. */
  decisionCounts(): ReadonlyMap<string, number> {
    return this.decisions;
  }

  setBacklog(country: string, size: number): void {
    if (size === 0) {
      this.backlog.delete(country);
    } else {
      this.backlog.set(country, size);
    }
  }

  countDecision(outcome: 'route' | 'no-route' | 'refused'): void {
    this.decisions.set(outcome, (this.decisions.get(outcome) ?? 0) + 1);
  }
}

/** The metrics of every router running in this process (one, unless a test starts several). */
const running = new Set<RoutingMetrics>();

export function registerRoutingMetrics(metrics: RoutingMetrics): () => void {
  running.add(metrics);

  return () => running.delete(metrics);
}

/**
 * The no-route backlog per destination country (ISO alpha-2) of the routers in this process: the
 * gauge a metrics exporter publishes, e.g. `sms_router_no_route_backlog{country="GB"}`.
 */
export function noRouteBacklogByCountry(): Map<string, number> {
  const total = new Map<string, number>();
  for (const metrics of running) {
    for (const [country, size] of metrics.noRouteBacklog()) {
      total.set(country, (total.get(country) ?? 0) + size);
    }
  }

  return total;
}
