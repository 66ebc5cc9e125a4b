import { type FormEvent, useState } from 'react';
import { type Schemas, unwrap } from '../api/client';
import { type Conversation, pendingApi } from '../api/pending';
import { useSession } from '../session';
import { ErrorNotice, Field, PageHeader, Pager, StatusBadge, Time } from '../ui/components';
import { useCursorPages } from '../ui/cursor-pages';
import { useLoad } from '../ui/hooks';

export function InboundPage() {
  const [tab, setTab] = useState<'messages' | 'conversations'>('conversations');

  return (
    <>
      <PageHeader title="Inbound" />
      <div role="tablist" aria-label="Inbound views" className="tabs">
        {(['conversations', 'messages'] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`panel-${name}`}
            onClick={() => setTab(name)}
          >
            {name === 'messages' ? 'Inbound messages' : 'Conversations'}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'messages' ? <InboundMessages /> : <Conversations />}
      </div>
    </>
  );
}

function InboundMessages() {
  const { client } = useSession();
  const pages = useCursorPages();
  const [draft, setDraft] = useState({ from: '', to: '', keyword: '', provider: '' });
  const [filters, setFilters] = useState(draft);
  const list = useLoad(
    () =>
      unwrap(
        client.GET('/v1/inbound', {
          params: {
            query: {
              from: filters.from || undefined,
              to: filters.to || undefined,
              keyword: filters.keyword || undefined,
              provider: filters.provider || undefined,
              limit: 25,
              cursor: pages.cursor,
            } as never,
          },
        }),
      ),
    [filters, pages.cursor],
  );
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    pages.first();
    setFilters(draft);
  };

  return (
    <>
      <form className="filters" role="search" aria-label="Search inbound messages" onSubmit={submit}>
        {(['from', 'to', 'keyword', 'provider'] as const).map((name) => (
          <Field key={name} label={name}>
            {(id) => (
              <input id={id} value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} />
            )}
          </Field>
        ))}
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorNotice error={list.error} />
      <InboundTable messages={list.data?.data} />
      <Pager
        page={pages.page}
        nextCursor={list.data?.nextCursor}
        onFirst={pages.first}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </>
  );
}

/** One page of inbound messages. */
function InboundTable({ messages }: { messages: Schemas['InboundMessageDto'][] | undefined }) {
  return (
    <div className="table-wrap">
      <table aria-label="Inbound messages">
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Body</th>
            <th scope="col">Keyword</th>
            <th scope="col">Provider</th>
          </tr>
        </thead>
        <tbody>
          {messages?.map((message) => (
            <tr key={message.id}>
              <td>
                <Time at={message.receivedAt} />
              </td>
              <td>{message.from}</td>
              <td>{message.to}</td>
              <td className="body">{message.body}</td>
              <td>{message.keyword ? `${message.keyword} (${message.keywordHandling ?? ''})` : ''}</td>
              <td>{message.provider}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Conversations() {
  const { key } = useSession();
  const pages = useCursorPages();
  const list = useLoad(() => pendingApi(key).conversations(pages.cursor), [key, pages.cursor]);
  const [open, setOpen] = useState<Conversation | null>(null);

  return (
    <div className="split">
      <div>
        <ErrorNotice error={list.error} />
        <ul className="conversations" aria-label="Conversations">
          {list.data?.data.map((conversation) => (
            <li key={`${conversation.ourNumber}/${conversation.theirNumber}`}>
              <button type="button" aria-pressed={open === conversation} onClick={() => setOpen(conversation)}>
                <strong>{conversation.theirNumber}</strong> ↔ {conversation.ourNumber}
                {conversation.masked ? <span className="badge badge-masked">masked session</span> : null}
                <span className="muted small">
                  {' '}
                  {conversation.inbound} in, {conversation.outbound} out · <Time at={conversation.lastAt} />
                </span>
              </button>
            </li>
          ))}
        </ul>
        <Pager
          page={pages.page}
          nextCursor={list.data?.nextCursor}
          onFirst={pages.first}
          onPrevious={pages.previous}
          onNext={pages.next}
        />
      </div>
      {open ? <Thread conversation={open} /> : <p className="muted">Choose a conversation to read its thread.</p>}
    </div>
  );
}

function Thread({ conversation }: { conversation: Conversation }) {
  const { key } = useSession();
  const pages = useCursorPages();
  const thread = useLoad(
    () => pendingApi(key).conversation(conversation.ourNumber, conversation.theirNumber, pages.cursor),
    [key, conversation.ourNumber, conversation.theirNumber, pages.cursor],
  );

  return (
    <section aria-labelledby="thread" className="thread">
      <h2 id="thread">
        {conversation.theirNumber} ↔ {conversation.ourNumber}
      </h2>
      {conversation.masked ? (
        <p className="notice">
          A masked session: both parties see only the masked number, never each other's real one.
        </p>
      ) : null}
      <ErrorNotice error={thread.error} />
      <ol className="bubbles">
        {thread.data?.data.map((message) => (
          <li key={message.id} className={`bubble bubble-${message.direction}`}>
            <span className="visually-hidden">{message.direction === 'inbound' ? 'They wrote' : 'We sent'}: </span>
            {message.body}
            <span className="muted small">
              {' '}
              <Time at={message.at} /> {message.status ? <StatusBadge status={message.status} /> : null}
            </span>
          </li>
        ))}
      </ol>
      <Pager
        page={pages.page}
        nextCursor={thread.data?.nextCursor}
        onFirst={pages.first}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </section>
  );
}
