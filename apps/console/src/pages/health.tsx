import { type HealthSeries, pendingApi } from '../api/pending';
import { useSession } from '../session';
import { ErrorNotice, PageHeader, Time } from '../ui/components';
import { usePoll } from '../ui/hooks';

const WIDTH = 600;
const HEIGHT = 80;

/** Delivery and error rate per provider over the last hour, polled; open circuits marked. */
export function HealthPage() {
  const { key } = useSession();
  const live = usePoll(() => pendingApi(key).providerHealth(60), 15_000, [key]);

  return (
    <>
      <PageHeader title="Provider health">
        <p className="muted">Last 60 minutes, refreshed every 15 s.</p>
      </PageHeader>
      <ErrorNotice error={live.error} />
      {live.data && live.data.data.length === 0 ? <p className="muted">No traffic in the last hour.</p> : null}
      <div className="health-grid" aria-live="polite">
        {live.data?.data.map((series) => (
          <Series key={`${series.provider}/${series.country ?? ''}`} series={series} />
        ))}
      </div>
    </>
  );
}

function Series({ series }: { series: HealthSeries }) {
  const points = series.points;
  const x = (index: number): number => (points.length <= 1 ? WIDTH : (index / (points.length - 1)) * WIDTH);
  const line = (pick: (p: HealthSeries['points'][number]) => number | null): string =>
    points
      .map((p, i) => [x(i), pick(p)] as const)
      .filter((pair): pair is readonly [number, number] => pair[1] !== null)
      .map(([px, value]) => `${px.toFixed(1)},${(HEIGHT - value * HEIGHT).toFixed(1)}`)
      .join(' ');
  const last = points[points.length - 1];
  const name = `${series.provider}${series.country ? ` · ${series.country}` : ''}`;

  return (
    <figure className="health">
      <figcaption>
        <strong>{name}</strong>{' '}
        {last ? <span className={`badge badge-circuit-${last.circuit}`}>circuit {last.circuit}</span> : null}
        {last ? (
          <span className="muted small">
            {' '}
            delivery {last.deliveryRate === null ? '—' : `${(last.deliveryRate * 100).toFixed(0)} %`}, errors{' '}
            {last.errorRate === null ? '—' : `${(last.errorRate * 100).toFixed(0)} %`}, latency{' '}
            {last.latencyMs === null ? '—' : `${Math.round(last.latencyMs)} ms`} at <Time at={last.at} />
          </span>
        ) : null}
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${name}: delivery rate (solid) and error rate (dashed) over time`}
      >
        {points.map((p, i) =>
          p.circuit === 'open' ? (
            <rect key={p.at} className="circuit-open" x={x(i) - 2} y={0} width={4} height={HEIGHT} />
          ) : null,
        )}
        <polyline className="line-delivery" points={line((p) => p.deliveryRate)} />
        <polyline className="line-error" points={line((p) => p.errorRate)} />
      </svg>
    </figure>
  );
}
