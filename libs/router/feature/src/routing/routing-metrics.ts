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
