import { type FormEvent, useState } from 'react';
import { queryOf, type Schemas, unwrap } from '../api/client';
import { useRouter } from '../router';
import { useSession } from '../session';
import { ErrorNotice, Field, PageHeader } from '../ui/components';
import { useLoad } from '../ui/hooks';

type Explain = Schemas['ExplainView'];
type Chosen = Schemas['ChosenRouteView'];

/** Draws a routing decision: each candidate, why it lost (the filter it failed) and the winner's score. */
export function ExplainResult({ explain }: { explain: Explain }) {
  const chosen: Chosen | null = explain.decision === 'route' ? explain.chosen : null;
  const scores = explain.candidates.map((c) => c.score ?? 0);
  const top = Math.max(1e-9, ...scores);

  return (
    <div className="explain">
      <p className={`decision decision-${explain.decision}`} aria-live="polite">
        <strong>{explain.decision}</strong>
        {chosen ? (
          <>
            {' '}
            → <strong>{chosen.provider}</strong> from <code>{chosen.sender}</code> at {chosen.price} {chosen.currency}
          </>
        ) : null}
        {explain.code ? (
          <>
            {' '}
            <code>{explain.code}</code>
          </>
        ) : null}{' '}
        — {explain.reason}
      </p>
      <p className="muted">
        {explain.to} · {explain.country} · {explain.messageClass} · {explain.segments} segment
        {explain.segments === 1 ? '' : 's'}
      </p>
      <p className="muted small">Each candidate's score is its cost adjusted for its health: the lowest score wins.</p>
      <ol className="candidates" aria-label="Candidates">
        {explain.candidates.map((candidate) => (
          <li
            key={`${candidate.providerId}/${candidate.prefix}`}
            className={`candidate candidate-${candidate.outcome}`}
          >
            <div className="candidate-head">
              <strong>{candidate.providerId}</strong>{' '}
              <span className={`badge badge-${candidate.outcome}`}>{candidate.outcome}</span>{' '}
              <span className="muted">
                prefix {candidate.prefix || '(country)'} · {candidate.price} {candidate.currency} per segment · cost{' '}
                {candidate.cost}
              </span>
            </div>
            <div className="score" aria-label={`score ${candidate.score ?? 'none'}`}>
              <span
                className="score-bar"
                style={{ width: `${Math.round(((candidate.score ?? 0) / top) * 100)}%` }}
                aria-hidden="true"
              />
              <span className="score-value">{candidate.score === null ? 'no score' : candidate.score.toFixed(4)}</span>
            </div>
            <p className="reason">
              {candidate.outcome === 'lost' ? 'Failed: ' : ''}
              {candidate.reason}
            </p>
            <p className="muted small">
              senders {candidate.senders.length > 0 ? candidate.senders.join(', ') : 'none'}
              {candidate.senderType ? ` (${candidate.senderType})` : ''} · health: {candidate.health.attempts} attempts,
              error rate {(candidate.health.errorRate * 100).toFixed(1)} %
              {candidate.health.deliveryRate !== null
                ? `, delivery ${(candidate.health.deliveryRate * 100).toFixed(1)} %`
                : ''}
              {candidate.health.unhealthy ? ' · UNHEALTHY' : ''}
            </p>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function ExplainPage() {
  const session = useSession();
  const { query, navigate } = useRouter();
  const [to, setTo] = useState(query.get('to') ?? '');
  const [messageClass, setMessageClass] = useState(query.get('messageClass') ?? 'transactional');
  const [from, setFrom] = useState(query.get('from') ?? '');
  const [segments, setSegments] = useState(query.get('segments') ?? '1');
  const asked = query.get('to');
  const explain = useLoad(
    async () =>
      asked
        ? unwrap(
            session.client.GET('/v1/routes/explain', {
              params: {
                query: {
                  to: asked,
                  messageClass: query.get('messageClass') ?? undefined,
                  from: query.get('from') || undefined,
                  segments: query.get('segments') ? Number(query.get('segments')) : undefined,
                } as never,
              },
            }),
          )
        : null,
    [query.toString()],
  );
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    navigate(`/explain${queryOf({ to, messageClass, from, segments })}`);
  };

  return (
    <>
      <PageHeader title="Explain a route" />
      <p>Which provider and sender a message to this number would take now, and why every other candidate lost.</p>
      <form className="form-grid" onSubmit={submit}>
        <Field label="To (E.164)">
          {(id) => (
            <input id={id} required value={to} onChange={(e) => setTo(e.target.value)} placeholder="+447400123456" />
          )}
        </Field>
        <Field label="Message class">
          {(id) => (
            <select id={id} value={messageClass} onChange={(e) => setMessageClass(e.target.value)}>
              <option>transactional</option>
              <option>marketing</option>
            </select>
          )}
        </Field>
        <Field label="From (optional)">
          {(id) => <input id={id} value={from} onChange={(e) => setFrom(e.target.value)} />}
        </Field>
        <Field label="Segments">
          {(id) => (
            <input
              id={id}
              type="number"
              min={1}
              max={255}
              value={segments}
              onChange={(e) => setSegments(e.target.value)}
            />
          )}
        </Field>
        <div className="actions">
          <button type="submit">Explain</button>
        </div>
      </form>
      <ErrorNotice error={explain.error} />
      {explain.data ? <ExplainResult explain={explain.data} /> : null}
    </>
  );
}
