import { useState } from 'react';
import { type Schemas, unwrap } from '../api/client';
import { pendingApi, type Timeline, type TimelineRoute } from '../api/pending';
import { Link, useRouter } from '../router';
import { queryOf } from '../api/client';
import { useSession } from '../session';
import { ErrorNotice, Loading, PageHeader, Raw, StatusBadge, Time } from '../ui/components';
import { useAction, useLoad, usePoll } from '../ui/hooks';
import { ExplainResult } from './explain';
import { SendForm } from './send-form';

const FINAL = new Set(['delivered', 'failed', 'undelivered', 'cancelled', 'expired']);
/** docs/api.md: cancel is allowed while no provider has the message. */
const CANCELLABLE = new Set(['scheduled', 'queued']);

export function MessagePage({ id }: { id: string }) {
  const session = useSession();
  // Until the message is final it is polled, so its status moves on screen as receipts arrive.
  const [final, setFinal] = useState(false);
  const live = usePoll(
    async () => {
      const message = await unwrap(session.client.GET('/v1/messages/{id}', { params: { path: { id } } }));
      setFinal(FINAL.has(message.status));

      return message;
    },
    final ? 3_600_000 : 1_500,
    [id, final],
  );
  const timeline = useLoad(() => pendingApi(session.key).timeline(id), [id, live.data?.status, live.data?.attempts]);
  const message = live.data;

  return (
    <>
      <PageHeader title="Message">
        <p>
          <Link to="/messages">← Messages</Link> · <code>{id}</code>
        </p>
      </PageHeader>
      <ErrorNotice error={live.error} />
      {!message && !live.error ? <Loading what="the message" /> : null}
      {message ? <Summary message={message} /> : null}
      {message ? <Actions message={message} body={timeline.data?.message.body} /> : null}
      {message ? <Events message={message} timeline={timeline.data} /> : null}
      <section aria-labelledby="timeline-more">
        <h2 id="timeline-more" className="visually-hidden">
          Attempts, route, receipts and callbacks
        </h2>
        {timeline.error ? (
          <div>
            <p className="muted">The message's timeline could not be loaded:</p>
            <ErrorNotice error={timeline.error} />
          </div>
        ) : null}
        {timeline.data ? <TimelineDetail timeline={timeline.data} /> : null}
      </section>
    </>
  );
}

function Summary({ message }: { message: Schemas['MessageDto'] }) {
  return (
    <dl className="summary" aria-live="polite">
      <dt>Status</dt>
      <dd>
        <StatusBadge status={message.status} />
      </dd>
      <dt>To</dt>
      <dd>{message.to}</dd>
      <dt>From</dt>
      <dd>{message.from ?? '—'}</dd>
      <dt>Country</dt>
      <dd>{message.country}</dd>
      <dt>Class</dt>
      <dd>{message.messageClass}</dd>
      <dt>Encoding</dt>
      <dd>
        {message.encoding}, {message.segments} segment{message.segments === 1 ? '' : 's'}
      </dd>
      <dt>Provider</dt>
      <dd>{message.provider ?? '—'}</dd>
      <dt>Cost</dt>
      <dd>{message.cost ? `${message.cost} ${message.currency ?? ''}` : '—'}</dd>
      <dt>Attempts</dt>
      <dd>{message.attempts}</dd>
      <dt>Route</dt>
      <dd>{message.routeReason ?? '—'}</dd>
      <dt>Error</dt>
      <dd>{message.errorCode ? `${message.errorCode}: ${message.errorMessage ?? ''}` : '—'}</dd>
      <dt>Created</dt>
      <dd>
        <Time at={message.createdAt} />
      </dd>
      <dt>Delivered</dt>
      <dd>
        <Time at={message.deliveredAt} />
      </dd>
      <dt>Reference</dt>
      <dd>{message.clientReference ?? '—'}</dd>
    </dl>
  );
}

function Actions({ message, body }: { message: Schemas['MessageDto']; body: string | undefined }) {
  const session = useSession();
  const { navigate } = useRouter();
  const cancel = useAction(() =>
    unwrap(session.client.POST('/v1/messages/{id}/cancel', { params: { path: { id: message.id } } })),
  );
  const resend = useAction((send: Schemas['SendMessageDto']) =>
    unwrap(session.client.POST('/v1/messages', { body: send })),
  );
  if (!session.can('send')) {
    return null;
  }

  return (
    <section aria-labelledby="actions" className="panel">
      <h2 id="actions">Actions</h2>
      {CANCELLABLE.has(message.status) ? (
        <button type="button" onClick={() => void cancel.run()} disabled={cancel.busy}>
          Cancel this message
        </button>
      ) : (
        <p className="muted">Cancel is possible only while the message is scheduled or queued.</p>
      )}
      <ErrorNotice error={cancel.error} />
      <details>
        <summary>Resend as a new message</summary>
        <SendForm
          key={body ?? ''}
          submitLabel="Send as new"
          busy={resend.busy}
          initial={{
            to: message.to,
            from: message.from ?? undefined,
            body: body ?? '',
            messageClass: message.messageClass,
            clientReference: message.clientReference ?? undefined,
          }}
          onSend={async (send) => {
            const accepted = await resend.run(send);
            if (accepted) {
              navigate(`/messages/${accepted.id}`);
            }
          }}
        />
        <ErrorNotice error={resend.error} />
      </details>
    </section>
  );
}

function Events({ message, timeline }: { message: Schemas['MessageDto']; timeline: Timeline | null }) {
  const events = timeline?.events ?? message.events;

  return (
    <section aria-labelledby="events">
      <h2 id="events">Events</h2>
      <ol className="timeline">
        {events.map((event, index) => (
          <li key={`${event.at}-${index}`}>
            <Time at={event.at} /> <StatusBadge status={event.status} />
            {event.provider ? <> via {event.provider}</> : null}
            {event.source ? <span className="muted"> ({event.source})</span> : null}
            {event.errorCode ? (
              <>
                {' '}
                <code>{event.errorCode}</code>{' '}
                {('errorMessage' in event ? event.errorMessage : null) ?? event.detail ?? ''}
              </>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The decision taken for this message: drawn in full when the API gives the candidates, else as it was stored. */
function RouteDecision({ route, to, messageClass }: { route: TimelineRoute | null; to: string; messageClass: string }) {
  if (!route) {
    return <p className="muted">Not routed (yet).</p>;
  }
  if ('candidates' in route) {
    return <ExplainResult explain={route} />;
  }

  return (
    <>
      <p>
        {route.provider ? <strong>{route.provider}</strong> : 'No provider'}
        {route.sender ? (
          <>
            {' '}
            from <code>{route.sender}</code>
          </>
        ) : null}
        {route.reason ? ` — ${route.reason}` : ''}
      </p>
      <p>
        <Link to={`/explain${queryOf({ to, messageClass })}`}>Explain the route this number would take now</Link>
      </p>
    </>
  );
}

function TimelineDetail({ timeline }: { timeline: Timeline }) {
  const unavailable = timeline.unavailable ?? [];

  return (
    <>
      {unavailable.length > 0 ? (
        <p className="notice" role="status">
          Not readable in time, shown empty: {unavailable.join(', ')}. Reload to try again.
        </p>
      ) : null}
      <Attempts attempts={timeline.attempts} />
      <section aria-labelledby="route">
        <h2 id="route">Why this route</h2>
        <RouteDecision route={timeline.route} to={timeline.message.to} messageClass={timeline.message.messageClass} />
      </section>
      <Receipts receipts={timeline.receipts} />
      <Callbacks callbacks={timeline.callbacks} />
    </>
  );
}

/** Each attempt at a provider, with its outcome and cost. */
function Attempts({ attempts }: { attempts: Timeline['attempts'] }) {
  return (
    <section aria-labelledby="attempts">
      <h2 id="attempts">Attempts</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Provider</th>
              <th scope="col">Sender</th>
              <th scope="col">Provider's id</th>
              <th scope="col">Outcome</th>
              <th scope="col">Cost</th>
              <th scope="col">Started</th>
              <th scope="col">Answered</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((attempt) => (
              <tr key={attempt.attempt}>
                <td className="num">{attempt.attempt}</td>
                <td>{attempt.provider}</td>
                <td>{attempt.sender ?? '—'}</td>
                <td>
                  <code>{attempt.providerMessageId ?? '—'}</code>
                </td>
                <td>
                  {attempt.outcome}
                  {attempt.errorCode ? <code> {attempt.errorCode}</code> : null}
                </td>
                <td className="num">{attempt.cost ? `${attempt.cost} ${attempt.currency ?? ''}` : '—'}</td>
                <td>
                  <Time at={attempt.startedAt} />
                </td>
                <td>
                  <Time at={attempt.answeredAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The receipts as the providers sent them, and whether their signatures were verified. */
function Receipts({ receipts }: { receipts: Timeline['receipts'] }) {
  return (
    <section aria-labelledby="receipts">
      <h2 id="receipts">Receipts, raw</h2>
      {receipts.length === 0 ? <p className="muted">No receipt yet.</p> : null}
      {receipts.map((receipt) => (
        <article key={receipt.id} className="receipt">
          <h3>
            {receipt.provider} · <Time at={receipt.receivedAt} /> ·{' '}
            {receipt.verified ? 'signature verified' : 'NOT verified'} · {receipt.contentType ?? 'no content type'}
          </h3>
          {receipt.headers ? <Raw label="Receipt headers" value={receipt.headers} /> : null}
          <Raw label="Receipt body, as the provider sent it" value={receipt.body} />
        </article>
      ))}
    </section>
  );
}

/** The deliveries of the account's callbacks for this message. */
function Callbacks({ callbacks }: { callbacks: Timeline['callbacks'] }) {
  return (
    <section aria-labelledby="callbacks">
      <h2 id="callbacks">Callback deliveries</h2>
      {callbacks.length === 0 ? <p className="muted">No callback.</p> : null}
      <ul>
        {callbacks.map((callback) => (
          <li key={callback.id}>
            <code>{callback.url}</code> · {callback.state} after {callback.attempts} attempt
            {callback.attempts === 1 ? '' : 's'}
            {callback.lastStatusCode !== null ? ` · last answer ${callback.lastStatusCode}` : ''}
            {callback.lastError ? ` · ${callback.lastError}` : ''} · <Time at={callback.createdAt} />
          </li>
        ))}
      </ul>
    </section>
  );
}
