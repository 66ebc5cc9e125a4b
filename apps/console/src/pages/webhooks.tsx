import { useState } from 'react';
import { type Schemas, unwrap } from '../api/client';
import { useSession } from '../session';
import { ErrorNotice, Field, PageHeader, Raw, Time } from '../ui/components';
import { useAction, useLoad } from '../ui/hooks';

type EventName = Schemas['CreateWebhookDto']['events'][number];
const EVENTS: readonly EventName[] = ['message.status', 'message.inbound'];

/** Account webhooks (admin): subscriptions, the secret shown once, each delivery's log and a replay. */
export function WebhooksPage() {
  const { client } = useSession();
  const list = useLoad(() => unwrap(client.GET('/v1/webhooks')), []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<EventName[]>(['message.status']);
  const [secret, setSecret] = useState<Schemas['WebhookWithSecretResponse'] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const create = useAction(async () => {
    setSecret(await unwrap(client.POST('/v1/webhooks', { body: { url: url.trim(), events } })));
    list.reload();
  });
  const remove = useAction(async (id: string) => {
    await unwrap(client.DELETE('/v1/webhooks/{id}', { params: { path: { id } } }));
    list.reload();
  });

  return (
    <>
      <PageHeader title="Webhooks" />
      <ErrorNotice error={list.error ?? remove.error} />
      <ul className="webhooks">
        {list.data?.data.map((hook) => (
          <li key={hook.id}>
            <code>{hook.url}</code> · {hook.events.join(', ')} · <Time at={hook.createdAt} />{' '}
            <button
              type="button"
              aria-expanded={open === hook.id}
              onClick={() => setOpen(open === hook.id ? null : hook.id)}
            >
              Deliveries<span className="visually-hidden"> of {hook.url}</span>
            </button>{' '}
            <button type="button" onClick={() => void remove.run(hook.id)} disabled={remove.busy}>
              Delete<span className="visually-hidden"> {hook.url}</span>
            </button>
            {open === hook.id ? <Deliveries id={hook.id} /> : null}
          </li>
        ))}
      </ul>
      {list.data && list.data.data.length === 0 ? <p className="muted">No webhook yet.</p> : null}
      <section aria-labelledby="new-webhook" className="panel">
        <h2 id="new-webhook">Add a webhook</h2>
        <form
          className="form-grid"
          onSubmit={(event) => {
            event.preventDefault();
            void create.run();
          }}
        >
          <Field label="URL (https)">
            {(id) => <input id={id} type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />}
          </Field>
          <fieldset>
            <legend>Events</legend>
            {EVENTS.map((name) => (
              <label key={name} className="check">
                <input
                  type="checkbox"
                  checked={events.includes(name)}
                  onChange={(e) => setEvents(e.target.checked ? [...events, name] : events.filter((x) => x !== name))}
                />
                {name}
              </label>
            ))}
          </fieldset>
          <div className="actions">
            <button type="submit" disabled={create.busy}>
              Add webhook
            </button>
          </div>
        </form>
        <ErrorNotice error={create.error} />
        {secret ? (
          <div className="notice" role="status">
            <strong>Signing secret, shown once:</strong> <code className="secret">{secret.secret}</code>
          </div>
        ) : null}
      </section>
    </>
  );
}

function Deliveries({ id }: { id: string }) {
  const { client } = useSession();
  const list = useLoad(() => unwrap(client.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id } } })), [id]);
  const replay = useAction(async (deliveryId: string) => {
    await unwrap(
      client.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/replay', { params: { path: { id, deliveryId } } }),
    );
    list.reload();
  });

  return (
    <div className="deliveries">
      <ErrorNotice error={list.error ?? replay.error} />
      {list.data && list.data.data.length === 0 ? <p className="muted">No delivery yet.</p> : null}
      <ol>
        {list.data?.data.map((delivery) => (
          <li key={delivery.id}>
            <details>
              <summary>
                {delivery.type} · <strong>{delivery.state}</strong> · {delivery.attempts} attempt
                {delivery.attempts === 1 ? '' : 's'}
                {delivery.lastStatusCode !== null ? ` · last ${delivery.lastStatusCode}` : ''}
                {delivery.lastError ? ` · ${delivery.lastError}` : ''} · <Time at={delivery.createdAt} />
              </summary>
              <Raw label="Attempt log" value={delivery.attemptLog} />
              <Raw label="Event" value={delivery.event} />
              <button type="button" onClick={() => void replay.run(delivery.id)} disabled={replay.busy}>
                Send again
              </button>
            </details>
          </li>
        ))}
      </ol>
    </div>
  );
}
