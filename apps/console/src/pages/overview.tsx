import { pendingApi, type Overview, spendText } from '../api/pending';
import { useSession } from '../session';
import { ErrorNotice, PageHeader, Time } from '../ui/components';
import { usePoll } from '../ui/hooks';

const STATUSES = ['queued', 'sent', 'delivered', 'failed', 'undelivered'] as const;
const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)} %`);
const ms = (value: number | null): string => (value === null ? '—' : `${Math.round(value)} ms`);

export function OverviewPage() {
  const { key } = useSession();
  const live = usePoll(() => pendingApi(key).overview(60), 5_000, [key]);
  const data = live.data;

  return (
    <>
      <PageHeader title="Overview">
        <p className="muted" aria-live="off">
          Last 60 minutes, refreshed every 5 s{live.error ? ` (retrying in ${Math.round(live.nextInMs / 1000)} s)` : ''}
          .{' '}
          {live.updatedAt ? (
            <>
              Updated <Time at={live.updatedAt.toISOString()} />
            </>
          ) : null}
        </p>
      </PageHeader>
      <ErrorNotice error={live.error} />
      <section className="cards" aria-label="Totals" aria-live="polite" aria-atomic="true">
        {STATUSES.map((status) => (
          <div className="card" key={status}>
            <span className="card-label">{status}</span>
            <span className="card-value">{data ? total(data, status) : '…'}</span>
          </div>
        ))}
        <div className="card">
          <span className="card-label">spend today</span>
          <span className="card-value">{data ? spendText(data.spendToday) : '…'}</span>
        </div>
      </section>
      <section aria-labelledby="per-minute">
        <h2 id="per-minute">Messages per minute</h2>
        <PerMinuteChart data={data} />
      </section>
      <section aria-labelledby="alerts">
        <h2 id="alerts">Alerts firing</h2>
        {data && data.alerts.length === 0 ? <p className="muted">None.</p> : null}
        <ul className="alerts" aria-live="polite">
          {data?.alerts.map((alert) => (
            <li key={alert.name} className={`alert alert-${alert.severity}`}>
              <strong>{alert.name}</strong> ({alert.severity}) {alert.summary} — since <Time at={alert.since} />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="routes">
        <h2 id="routes">Delivery by provider and country</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Country</th>
                <th scope="col">Sent</th>
                <th scope="col">Delivered</th>
                <th scope="col">Delivery rate</th>
                <th scope="col">Receipt p50</th>
                <th scope="col">Receipt p95</th>
              </tr>
            </thead>
            <tbody>
              {data?.routes.map((route) => (
                <tr key={`${route.provider}/${route.country}`}>
                  <td>{route.provider}</td>
                  <td>{route.country}</td>
                  <td className="num">{route.sent}</td>
                  <td className="num">{route.delivered}</td>
                  <td className="num">{percent(route.deliveryRate)}</td>
                  <td className="num">{ms(route.receiptLatencyMs.p50)}</td>
                  <td className="num">{ms(route.receiptLatencyMs.p95)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

const total = (data: Overview, status: string): number =>
  data.perMinute.reduce((sum, minute) => sum + (minute.counts[status] ?? 0), 0);

const WINDOW_MINUTES = 60;
const MINUTE = 60_000;

/**
 * Stacked bars, one slot per minute of the window ending now (minutes without messages stay empty), drawn
 * at a fixed size so updates never shift the layout.
 */
function PerMinuteChart({ data }: { data: Overview | null }) {
  const minutes = data?.perMinute ?? [];
  const peak = Math.max(1, ...minutes.map((minute) => STATUSES.reduce((sum, s) => sum + (minute.counts[s] ?? 0), 0)));
  const width = 600;
  const height = 160;
  const bar = width / WINDOW_MINUTES;
  const last = Math.floor(Date.now() / MINUTE);
  const slotOf = (minute: string): number =>
    WINDOW_MINUTES - 1 - (last - Math.floor(new Date(minute).getTime() / MINUTE));

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Messages per minute by status, last hour">
        {minutes.map((minute) => {
          const slot = slotOf(minute.minute);
          if (slot < 0 || slot >= WINDOW_MINUTES) {
            return null;
          }
          let y = height;

          return STATUSES.map((status) => {
            const count = minute.counts[status] ?? 0;
            const h = (count / peak) * height;
            y -= h;

            return (
              <rect
                key={`${minute.minute}-${status}`}
                className={`fill-${status}`}
                x={slot * bar}
                y={y}
                width={bar - 1}
                height={h}
              >
                <title>{`${new Date(minute.minute).toLocaleTimeString()} ${status}: ${count}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <figcaption className="legend">
        <span className="muted">60 minutes ago → now</span>
        {STATUSES.map((status) => (
          <span key={status}>
            <span className={`swatch fill-${status}`} aria-hidden="true" /> {status}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
