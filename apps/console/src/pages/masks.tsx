import { type FormEvent, useState } from 'react';
import { type Schemas, unwrap } from '../api/client';
import { useSession } from '../session';
import { ErrorNotice, Field, NeedsScope, PageHeader, StatusBadge, Time } from '../ui/components';
import { useAction } from '../ui/hooks';

/** Masked sessions: open one between two parties, look one up by id, close it (the API has no list). */
export function MasksPage() {
  const session = useSession();
  const { client } = session;
  const [mask, setMask] = useState<Schemas['MaskDto'] | null>(null);
  const [lookup, setLookup] = useState('');
  const [draft, setDraft] = useState({ partyA: '', partyB: '', contextId: '', ttlSeconds: '' });
  const find = useAction(async (id: string) =>
    setMask(await unwrap(client.GET('/v1/masks/{id}', { params: { path: { id } } }))),
  );
  const create = useAction(async (body: Schemas['CreateMaskDto']) =>
    setMask(await unwrap(client.POST('/v1/masks', { body }))),
  );
  const close = useAction(async (id: string) =>
    setMask(await unwrap(client.DELETE('/v1/masks/{id}', { params: { path: { id } } }))),
  );

  return (
    <>
      <PageHeader title="Masks" />
      <form
        className="filters"
        role="search"
        aria-label="Find a mask"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void find.run(lookup.trim());
        }}
      >
        <Field label="Mask id">
          {(id) => <input id={id} required value={lookup} onChange={(e) => setLookup(e.target.value)} />}
        </Field>
        <div className="actions">
          <button type="submit">Find</button>
        </div>
      </form>
      <ErrorNotice error={find.error ?? close.error} />
      {mask ? (
        <section aria-labelledby="mask" className="panel">
          <h2 id="mask">
            Mask <code>{mask.id}</code> <StatusBadge status={mask.status} />
          </h2>
          <dl className="summary">
            <dt>Party A</dt>
            <dd>
              {mask.partyA.number} texts <strong>{mask.partyA.maskedNumber}</strong>
            </dd>
            <dt>Party B</dt>
            <dd>
              {mask.partyB.number} texts <strong>{mask.partyB.maskedNumber}</strong>
            </dd>
            <dt>Context</dt>
            <dd>{mask.contextId ?? '—'}</dd>
            <dt>Expires</dt>
            <dd>
              <Time at={mask.expiresAt} />
            </dd>
            <dt>Closed</dt>
            <dd>
              <Time at={mask.closedAt} />
            </dd>
          </dl>
          {mask.status === 'active' && session.can('send') ? (
            <button type="button" onClick={() => void close.run(mask.id)} disabled={close.busy}>
              Close this mask
            </button>
          ) : null}
        </section>
      ) : null}
      {session.can('send') ? (
        <section aria-labelledby="new-mask" className="panel">
          <h2 id="new-mask">Open a masked session</h2>
          <form
            className="form-grid"
            onSubmit={(event) => {
              event.preventDefault();
              void create.run({
                partyA: draft.partyA.trim(),
                partyB: draft.partyB.trim(),
                ...(draft.contextId.trim() ? { contextId: draft.contextId.trim() } : {}),
                ...(draft.ttlSeconds.trim() ? { ttlSeconds: Number(draft.ttlSeconds) } : {}),
              });
            }}
          >
            <Field label="Party A">
              {(id) => (
                <input
                  id={id}
                  required
                  value={draft.partyA}
                  onChange={(e) => setDraft({ ...draft, partyA: e.target.value })}
                />
              )}
            </Field>
            <Field label="Party B">
              {(id) => (
                <input
                  id={id}
                  required
                  value={draft.partyB}
                  onChange={(e) => setDraft({ ...draft, partyB: e.target.value })}
                />
              )}
            </Field>
            <Field label="Context id (optional)">
              {(id) => (
                <input
                  id={id}
                  value={draft.contextId}
                  onChange={(e) => setDraft({ ...draft, contextId: e.target.value })}
                />
              )}
            </Field>
            <Field label="Lifetime in seconds (optional)">
              {(id) => (
                <input
                  id={id}
                  inputMode="numeric"
                  value={draft.ttlSeconds}
                  onChange={(e) => setDraft({ ...draft, ttlSeconds: e.target.value })}
                />
              )}
            </Field>
            <div className="actions">
              <button type="submit" disabled={create.busy}>
                Open session
              </button>
            </div>
          </form>
          <ErrorNotice error={create.error} />
        </section>
      ) : (
        <NeedsScope scope="send" what="Opening or closing a masked session" />
      )}
    </>
  );
}
