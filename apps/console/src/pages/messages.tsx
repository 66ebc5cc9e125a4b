import { type FormEvent, useState } from 'react';
import { queryOf, type Schemas, unwrap } from '../api/client';
import { Link, useRouter } from '../router';
import { useSession } from '../session';
import { ErrorNotice, Field, Loading, PageHeader, Pager, StatusBadge, Time } from '../ui/components';
import { useCursorPages } from '../ui/cursor-pages';
import { useAction, useLoad } from '../ui/hooks';
import { SendForm } from './send-form';

const STATUSES = [
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'failed',
  'undelivered',
  'unknown',
  'cancelled',
  'expired',
] as const;

/** Every filter of GET /v1/messages (docs/api.md "Searching messages"), as the URL's query. */
const FILTERS = ['to', 'from', 'clientReference', 'provider', 'country', 'createdAfter', 'createdBefore'] as const;
type Filters = Record<(typeof FILTERS)[number], string> & { status: string[]; limit: string };

const LABELS: Record<(typeof FILTERS)[number], string> = {
  to: 'To (E.164)',
  from: 'From',
  clientReference: 'Client reference',
  provider: 'Provider',
  country: 'Country (ISO code)',
  createdAfter: 'Created after',
  createdBefore: 'Created before',
};

function filtersOf(query: URLSearchParams): Filters {
  const text = Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;

  return {
    ...text,
    status: (query.get('status') ?? '').split(',').filter((s) => s !== ''),
    limit: query.get('limit') ?? '25',
  };
}

/** datetime-local gives local wall time; the API takes an instant. */
const instantOf = (local: string): string | undefined => (local === '' ? undefined : new Date(local).toISOString());

export function MessagesPage() {
  const session = useSession();
  const { query, navigate } = useRouter();
  const pages = useCursorPages();
  const search = useMessageSearch(query, pages.cursor);
  const onSearch = (draft: Filters): void => {
    pages.first();
    navigate(
      `/messages${queryOf({
        ...Object.fromEntries(FILTERS.map((name) => [name, draft[name]])),
        status: draft.status.join(','),
        limit: draft.limit === '25' ? '' : draft.limit,
      })}`,
    );
  };
  const rows: Schemas['MessageSummaryDto'][] = search.data?.data ?? [];

  return (
    <>
      <PageHeader title="Messages" />
      {session.can('send') ? <SendPanel /> : null}
      <MessageFilters initial={filtersOf(query)} onSearch={onSearch} />
      <ErrorNotice error={search.error} />
      {search.loading && !search.data ? <Loading what="messages" /> : null}
      <MessageTable rows={rows} busy={search.loading} />
      {search.data && rows.length === 0 ? <p className="muted">No message matches.</p> : null}
      <Pager
        page={pages.page}
        nextCursor={search.data?.nextCursor}
        onFirst={pages.first}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </>
  );
}

/** GET /v1/messages with the filters of the URL's query, one page at `cursor`. */
function useMessageSearch(query: URLSearchParams, cursor: string | undefined) {
  const { client } = useSession();
  const applied = filtersOf(query);

  return useLoad(
    () =>
      unwrap(
        client.GET('/v1/messages', {
          params: {
            query: {
              status: applied.status.length > 0 ? applied.status.join(',') : undefined,
              to: applied.to || undefined,
              from: applied.from || undefined,
              clientReference: applied.clientReference || undefined,
              provider: applied.provider || undefined,
              country: applied.country || undefined,
              createdAfter: instantOf(applied.createdAfter),
              createdBefore: instantOf(applied.createdBefore),
              limit: Number(applied.limit) || 25,
              cursor,
            } as never,
          },
        }),
      ),
    [query.toString(), cursor],
  );
}

/** The search form: statuses, the text filters and the page size, applied on submit. */
function MessageFilters({ initial, onSearch }: { initial: Filters; onSearch: (draft: Filters) => void }) {
  const [draft, setDraft] = useState<Filters>(initial);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onSearch(draft);
  };

  return (
    <form className="filters" role="search" aria-label="Search messages" onSubmit={submit}>
      <fieldset className="statuses">
        <legend>Status</legend>
        {STATUSES.map((status) => (
          <label key={status} className="check">
            <input
              type="checkbox"
              checked={draft.status.includes(status)}
              onChange={(event) =>
                setDraft({
                  ...draft,
                  status: event.target.checked ? [...draft.status, status] : draft.status.filter((s) => s !== status),
                })
              }
            />
            {status}
          </label>
        ))}
      </fieldset>
      {FILTERS.map((name) => (
        <Field key={name} label={LABELS[name]}>
          {(id) => (
            <input
              id={id}
              name={name}
              type={name.startsWith('created') ? 'datetime-local' : 'text'}
              value={draft[name]}
              onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
            />
          )}
        </Field>
      ))}
      <Field label="Per page">
        {(id) => (
          <select id={id} value={draft.limit} onChange={(event) => setDraft({ ...draft, limit: event.target.value })}>
            {['25', '50', '100'].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        )}
      </Field>
      <div className="actions">
        <button type="submit">Search</button>
      </div>
    </form>
  );
}

/** One page of messages; a row's creation time links to the message. */
function MessageTable({ rows, busy }: { rows: Schemas['MessageSummaryDto'][]; busy: boolean }) {
  return (
    <div className="table-wrap">
      <table aria-label="Messages" aria-busy={busy}>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
            <th scope="col">Provider</th>
            <th scope="col">Country</th>
            <th scope="col">Cost</th>
            <th scope="col">Reference</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((message) => (
            <tr key={message.id}>
              <td>
                <Link to={`/messages/${message.id}`}>
                  <Time at={message.createdAt} />
                </Link>
              </td>
              <td>{message.to}</td>
              <td>
                <StatusBadge status={message.status} />
              </td>
              <td>{message.provider ?? '—'}</td>
              <td>{message.country}</td>
              <td className="num">{message.cost ? `${message.cost} ${message.currency ?? ''}` : '—'}</td>
              <td>{message.clientReference ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SendPanel() {
  const session = useSession();
  const { navigate } = useRouter();
  const send = useAction((body: Schemas['SendMessageDto']) => unwrap(session.client.POST('/v1/messages', { body })));

  return (
    <details className="panel">
      <summary>Send a message</summary>
      <SendForm
        busy={send.busy}
        onSend={async (body) => {
          const accepted = await send.run(body);
          if (accepted) {
            navigate(`/messages/${accepted.id}`);
          }
        }}
      />
      <ErrorNotice error={send.error} />
    </details>
  );
}
