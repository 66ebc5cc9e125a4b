import { unwrap } from '../api/client';
import { pendingApi, spendText } from '../api/pending';
import { useSession } from '../session';
import { ErrorNotice, Loading, PageHeader } from '../ui/components';
import { useLoad } from '../ui/hooks';

const show = (value: string | number | readonly string[] | null): string =>
  value === null ? 'no limit' : Array.isArray(value) ? value.join(', ') || 'none' : String(value);

/** The account's rate, daily and spend caps (its own admin or an operator) and today's spend. */
export function LimitsPage() {
  const session = useSession();
  const limits = useLoad(
    () => unwrap(session.client.GET('/v1/accounts/{id}/limits', { params: { path: { id: session.account.id } } })),
    [session.account.id],
  );
  const spend = useLoad(() => pendingApi(session.key).overview(60), [session.key]);
  const view = limits.data;

  return (
    <>
      <PageHeader title="Quotas and spend" />
      <section aria-labelledby="spend">
        <h2 id="spend">Spend today</h2>
        <ErrorNotice error={spend.error} />
        <p className="big">{spend.data ? spendText(spend.data.spendToday) : '…'}</p>
      </section>
      <section aria-labelledby="limits">
        <h2 id="limits">Account limits</h2>
        <ErrorNotice error={limits.error} />
        {limits.loading && !view ? <Loading what="limits" /> : null}
        {view ? (
          <>
            <p className="muted">
              {view.source === 'default' ? 'The platform defaults apply' : 'Set for this account'}; amounts in{' '}
              {view.currency}.
            </p>
            <dl className="summary">
              {Object.entries(view.limits).map(([name, value]) => (
                <div key={name} className="pair">
                  <dt>{name}</dt>
                  <dd>{show(value)}</dd>
                </div>
              ))}
            </dl>
            {view.keys.length > 0 ? (
              <>
                <h3>Per-key limits</h3>
                {view.keys.map((key) => (
                  <dl key={key.keyId} className="summary">
                    <dt>key</dt>
                    <dd>
                      <code>{key.keyId}</code>
                    </dd>
                    {Object.entries(key.limits).map(([name, value]) => (
                      <div key={name} className="pair">
                        <dt>{name}</dt>
                        <dd>{show(value)}</dd>
                      </div>
                    ))}
                  </dl>
                ))}
              </>
            ) : null}
            <p className="muted">
              Changing limits: <code>PUT /v1/accounts/:id/limits</code> (docs/limits.md).
            </p>
          </>
        ) : null}
      </section>
    </>
  );
}
