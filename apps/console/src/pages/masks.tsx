import { type FormEvent, useState } from 'react';
import { type Schemas, unwrap } from '../api/client';
import { useSession } from '../session';
import { ErrorNotice, Field, NeedsScope, PageHeader, StatusBadge, Time } from '../ui/components';
import { useAction, useLoad } from '../ui/hooks';

type Mask = Schemas['MaskDto'];

/** Masked sessions: the account's list (newest first, paged by the API's cursor), look one up by id, open, close. */
export function MasksPage() {
  const session = useSession();
  const { client } = session;
  const [mask, setMask] = useState<Mask | null>(null);
  const find = useAction(async (id: string) =>
    setMask(await unwrap(client.GET('/v1/masks/{id}', { params: { path: { id } } }))),
  );
  const close = useAction(async (id: string) =>
    setMask(await unwrap(client.DELETE('/v1/masks/{id}', { params: { path: { id } } }))),
  );

  return (
    <>
      <PageHeader title="Masks" />
      <MaskList shown={mask} onOpen={setMask} />
      <FindMask onFind={(id) => void find.run(id)} />
      <ErrorNotice error={find.error ?? close.error} />
      {mask ? <MaskDetail mask={mask} canClose={session.can('send')} close={close} /> : null}
      {session.can('send') ? (
        <NewMask onCreated={setMask} />
      ) : (
        <NeedsScope scope="send" what="Opening or closing a masked session" />
      )}
    </>
  );
}

/**
 * The account's sessions, filtered by status and paged by cursor. It reloads whenever the mask shown changes, so a
 * session just opened or closed appears as it now is.
 */
function MaskList({ shown, onOpen }: { shown: Mask | null; onOpen: (mask: Mask) => void }) {
  const { client } = useSession();
  const [status, setStatus] = useState<'' | 'active' | 'closed'>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(
    () =>
      unwrap(
        client.GET('/v1/masks', {
          params: { query: { limit: 20, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [client, status, cursor, shown],
  );

  return (
    <section aria-labelledby="mask-list" className="panel">
      <h2 id="mask-list">Sessions</h2>
      <Field label="Status">
        {(id) => (
          <select
            id={id}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as '' | 'active' | 'closed');
              setCursors([]);
            }}
          >
            <option value="">any</option>
            <option value="active">active</option>
            <option value="closed">closed</option>
          </select>
        )}
      </Field>
      <ErrorNotice error={list.error} />
      <MaskTable masks={list.data?.data ?? []} onOpen={onOpen} />
      {list.data && list.data.data.length === 0 ? <p className="muted">No session.</p> : null}
      <div className="actions">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          disabled={!list.data?.nextCursor}
          onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}
        >
          Older
        </button>
      </div>
    </section>
  );
}

/** One page of sessions; a row's creation time opens it. */
function MaskTable({ masks, onOpen }: { masks: Mask[]; onOpen: (mask: Mask) => void }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Created</th>
          <th scope="col">Party A</th>
          <th scope="col">Party B</th>
          <th scope="col">Status</th>
          <th scope="col">Expires</th>
        </tr>
      </thead>
      <tbody>
        {masks.map((row) => (
          <tr key={row.id}>
            <td>
              <button type="button" className="link" onClick={() => onOpen(row)}>
                <Time at={row.createdAt} />
              </button>
            </td>
            <td>
              {row.partyA.number} → {row.partyA.maskedNumber}
            </td>
            <td>
              {row.partyB.number} → {row.partyB.maskedNumber}
            </td>
            <td>
              <StatusBadge status={row.status} />
            </td>
            <td>
              <Time at={row.expiresAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Looks a session up by its id. */
function FindMask({ onFind }: { onFind: (id: string) => void }) {
  const [lookup, setLookup] = useState('');

  return (
    <form
      className="filters"
      role="search"
      aria-label="Find a mask"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onFind(lookup.trim());
      }}
    >
      <Field label="Mask id">
        {(id) => <input id={id} required value={lookup} onChange={(e) => setLookup(e.target.value)} />}
      </Field>
      <div className="actions">
        <button type="submit">Find</button>
      </div>
    </form>
  );
}

/** One session: its parties and their masked numbers; an active one can be closed by a key that may send. */
function MaskDetail({
  mask,
  canClose,
  close,
}: {
  mask: Mask;
  canClose: boolean;
  close: { run: (id: string) => Promise<unknown>; busy: boolean };
}) {
  return (
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
      {mask.status === 'active' && canClose ? (
        <button type="button" onClick={() => void close.run(mask.id)} disabled={close.busy}>
          Close this mask
        </button>
      ) : null}
    </section>
  );
}

/** Opens a masked session between two parties; context and lifetime are optional. */
function NewMask({ onCreated }: { onCreated: (mask: Mask) => void }) {
  const { client } = useSession();
  const [draft, setDraft] = useState({ partyA: '', partyB: '', contextId: '', ttlSeconds: '' });
  const create = useAction(async (body: Schemas['CreateMaskDto']) =>
    onCreated(await unwrap(client.POST('/v1/masks', { body }))),
  );

  return (
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
  );
}
