import { type FormEvent, useState } from 'react';
import { type Schemas, unwrap } from '../api/client';
import { useSession } from '../session';
import { ErrorNotice, Field, NeedsScope, PageHeader, Pager, Time } from '../ui/components';
import { useClientPages } from '../ui/cursor-pages';
import { useAction, useLoad } from '../ui/hooks';

/** The account's opt-out ledger: search by number, each number's history, add (send) and remove (admin). */
export function OptOutsPage() {
  const session = useSession();
  const { client } = session;
  const [number, setNumber] = useState('');
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  const list = useLoad(
    () => unwrap(client.GET('/v1/opt-outs', { params: { query: { number: number || undefined } as never } })),
    [number],
  );
  const paged = useClientPages(list.data?.data);
  const remove = useAction(async (entry: Schemas['OptOutDto']) => {
    await unwrap(
      client.DELETE('/v1/opt-outs/{number}', {
        params: { path: { number: entry.number }, query: { sender: entry.sender ?? undefined } as never },
      }),
    );
    list.reload();
  });

  return (
    <>
      <PageHeader title="Opt-outs" />
      <OptOutSearch onSearch={setNumber} />
      <ErrorNotice error={list.error ?? remove.error} />
      <OptOutTable rows={paged.rows} canRemove={session.can('admin')} onHistory={setHistoryOf} remove={remove} />
      <Pager {...paged.pager} />
      {list.data && list.data.data.length === 0 ? (
        <p className="muted">No opt-out{number ? ` for ${number}` : ''}.</p>
      ) : null}
      {!session.can('admin') ? <NeedsScope scope="admin" what="Removing an opt-out" /> : null}
      {session.can('send') ? <AddOptOut onAdded={list.reload} /> : <NeedsScope scope="send" what="Adding an opt-out" />}
      {historyOf ? <History number={historyOf} /> : null}
    </>
  );
}

/** Searches the ledger by number; an empty number lists every opt-out. */
function OptOutSearch({ onSearch }: { onSearch: (number: string) => void }) {
  const [draft, setDraft] = useState('');
  const search = (event: FormEvent): void => {
    event.preventDefault();
    onSearch(draft.trim());
  };

  return (
    <form className="filters" role="search" aria-label="Search opt-outs" onSubmit={search}>
      <Field label="Number (E.164)">
        {(id) => <input id={id} value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="+447400123456" />}
      </Field>
      <div className="actions">
        <button type="submit">Search</button>
      </div>
    </form>
  );
}

/** One page of opt-outs, each with its history and, for an admin key, its removal. */
function OptOutTable({
  rows,
  canRemove,
  onHistory,
  remove,
}: {
  rows: Schemas['OptOutDto'][];
  canRemove: boolean;
  onHistory: (number: string) => void;
  remove: { run: (entry: Schemas['OptOutDto']) => Promise<unknown>; busy: boolean };
}) {
  return (
    <div className="table-wrap">
      <table aria-label="Opt-outs">
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Scope</th>
            <th scope="col">Sender</th>
            <th scope="col">Source</th>
            <th scope="col">Reason</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((entry) => (
            <tr key={`${entry.number}/${entry.sender ?? ''}`}>
              <td>{entry.number}</td>
              <td>
                {entry.scope}
                {entry.everyAccount ? ' (every account)' : ''}
              </td>
              <td>{entry.sender ?? '—'}</td>
              <td>{entry.source}</td>
              <td>{entry.reason}</td>
              <td>
                <Time at={entry.createdAt} />
              </td>
              <td className="row-actions">
                <button type="button" onClick={() => onHistory(entry.number)}>
                  History<span className="visually-hidden"> of {entry.number}</span>
                </button>
                {canRemove ? (
                  <button type="button" onClick={() => void remove.run(entry)} disabled={remove.busy}>
                    Remove<span className="visually-hidden"> opt-out of {entry.number}</span>
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AddOptOut({ onAdded }: { onAdded(): void }) {
  const { client } = useSession();
  const [draft, setDraft] = useState({ number: '', sender: '', reason: '' });
  const add = useAction(async (body: Schemas['CreateOptOutDto']) => {
    const created = await unwrap(client.POST('/v1/opt-outs', { body }));
    onAdded();

    return created;
  });

  return (
    <section aria-labelledby="add-opt-out" className="panel">
      <h2 id="add-opt-out">Add an opt-out</h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void add.run({
            number: draft.number.trim(),
            ...(draft.sender.trim() ? { sender: draft.sender.trim() } : {}),
            ...(draft.reason.trim() ? { reason: draft.reason.trim() } : {}),
          });
        }}
      >
        <Field label="Number to opt out">
          {(id) => (
            <input
              id={id}
              required
              value={draft.number}
              onChange={(e) => setDraft({ ...draft, number: e.target.value })}
            />
          )}
        </Field>
        <Field label="Sender (optional)" hint="Only this sender; empty for the whole account.">
          {(id, hint) => (
            <input
              id={id}
              aria-describedby={hint}
              value={draft.sender}
              onChange={(e) => setDraft({ ...draft, sender: e.target.value })}
            />
          )}
        </Field>
        <Field label="Reason (optional)">
          {(id) => (
            <input id={id} value={draft.reason} onChange={(e) => setDraft({ ...draft, reason: e.target.value })} />
          )}
        </Field>
        <div className="actions">
          <button type="submit" disabled={add.busy}>
            Add opt-out
          </button>
        </div>
      </form>
      <ErrorNotice error={add.error} />
      {add.result ? (
        <p role="status">
          {add.result.number} opted out ({add.result.scope}).
        </p>
      ) : null}
    </section>
  );
}

function History({ number }: { number: string }) {
  const { client } = useSession();
  const history = useLoad(
    () => unwrap(client.GET('/v1/opt-outs/{number}/history', { params: { path: { number } } })),
    [number],
  );

  return (
    <section aria-labelledby="history">
      <h2 id="history">History of {number}</h2>
      <ErrorNotice error={history.error} />
      <ol className="timeline">
        {history.data?.data.map((entry, index) => (
          <li key={`${entry.at}-${index}`}>
            <Time at={entry.at} /> <strong>{entry.action === 'opt_out' ? 'opted out' : 'opted in'}</strong> via{' '}
            {entry.source}
            {entry.sender ? ` for sender ${entry.sender}` : ''}
            {entry.everyAccount ? ' (every account)' : ''} — {entry.reason}
          </li>
        ))}
      </ol>
    </section>
  );
}
