import { useState } from 'react';
import { type Schemas, type Scope, unwrap } from '../api/client';
import { useSession } from '../session';
import { ErrorNotice, Field, PageHeader, Time } from '../ui/components';
import { useAction, useLoad } from '../ui/hooks';

const SCOPES: readonly Scope[] = ['send', 'read', 'admin', 'operator'];

/** The account's keys (admin): list, create (the key is shown once, here only), revoke. */
export function ApiKeysPage() {
  const session = useSession();
  const { client } = session;
  const list = useLoad(() => unwrap(client.GET('/v1/api-keys')), []);
  const revoke = useAction(async (id: string) => {
    await unwrap(client.DELETE('/v1/api-keys/{id}', { params: { path: { id } } }));
    list.reload();
  });

  return (
    <>
      <PageHeader title="API keys" />
      <ErrorNotice error={list.error ?? revoke.error} />
      <KeysTable keys={list.data?.data} selfKeyId={session.account.keyId} revoke={revoke} />
      <CreateKey onCreated={list.reload} />
    </>
  );
}

/** The keys, each revocable but the one signed in with. */
function KeysTable({
  keys,
  selfKeyId,
  revoke,
}: {
  keys: Schemas['ApiKeyDto'][] | undefined;
  selfKeyId: string;
  revoke: { run: (id: string) => Promise<unknown>; busy: boolean };
}) {
  return (
    <div className="table-wrap">
      <table aria-label="API keys">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Revoked</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys?.map((key) => (
            <tr key={key.id}>
              <td>
                {key.name}
                {key.id === selfKeyId ? <span className="badge">this key</span> : null}
              </td>
              <td>
                <code>{key.prefix}…</code>
              </td>
              <td>{key.scopes.join(', ')}</td>
              <td>
                <Time at={key.createdAt} />
              </td>
              <td>
                <Time at={key.revokedAt} />
              </td>
              <td>
                {key.revokedAt === null && key.id !== selfKeyId ? (
                  <button type="button" onClick={() => void revoke.run(key.id)} disabled={revoke.busy}>
                    Revoke<span className="visually-hidden"> {key.name}</span>
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

/** The create form and, once created, the new key (shown here only). */
function CreateKey({ onCreated }: { onCreated: () => void }) {
  const session = useSession();
  const { client } = session;
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['send', 'read']);
  const [created, setCreated] = useState<Schemas['CreatedApiKeyDto'] | null>(null);
  const create = useAction(async () => {
    setCreated(await unwrap(client.POST('/v1/api-keys', { body: { name: name.trim(), scopes } })));
    onCreated();
  });
  // A key can grant only what its creator holds: operator is offered only to an operator key.
  const offered = SCOPES.filter((scope) => scope !== 'operator' || session.can('operator'));

  return (
    <section aria-labelledby="new-key" className="panel">
      <h2 id="new-key">Create a key</h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <Field label="Name">
          {(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <fieldset>
          <legend>Scopes</legend>
          {offered.map((scope) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
              />
              {scope}
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={create.busy}>
            Create key
          </button>
        </div>
      </form>
      <ErrorNotice error={create.error} />
      {created ? <CreatedKey created={created} onDismiss={() => setCreated(null)} /> : null}
    </section>
  );
}

/** The new key, once: it is never shown again. */
function CreatedKey({ created, onDismiss }: { created: Schemas['CreatedApiKeyDto']; onDismiss: () => void }) {
  return (
    <div className="notice" role="status">
      <p>
        <strong>Copy this key now: it is shown only once.</strong>
      </p>
      <p>
        <code className="secret" data-testid="created-key">
          {created.key}
        </code>
      </p>
      <button type="button" onClick={onDismiss}>
        I have copied it
      </button>
    </div>
  );
}
