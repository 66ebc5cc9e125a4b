import { type FormEvent, useState } from 'react';
import { type Schemas, unwrap } from '../api/client';
import { useSession } from '../session';
import { ErrorNotice, Field, Loading, NeedsScope, PageHeader, Pager, RowCheckbox, Time } from '../ui/components';
import { useClientPages } from '../ui/cursor-pages';
import { useAction, useLoad } from '../ui/hooks';

const SENDER_TYPES = ['longcode', 'shortcode', 'tollfree', 'alphanumeric'] as const;

/** The routing pool (operator scope): providers, numbers, rates and country rules, each editable in place. */
export function RoutingPage() {
  const session = useSession();
  const canEdit = session.can('operator');

  return (
    <>
      <PageHeader title="Routing" />
      {!canEdit ? <NeedsScope scope="operator" what="Reading and editing the routing pool" /> : null}
      <Providers />
      <Numbers />
      <Rates />
    </>
  );
}

function Providers() {
  const { client } = useSession();
  const list = useLoad(() => unwrap(client.GET('/v1/providers')), []);
  const update = useAction(async (id: string, active: boolean) => {
    await unwrap(client.PATCH('/v1/providers/{id}', { params: { path: { id } }, body: { active } }));
    list.reload();
  });

  return (
    <section aria-labelledby="providers">
      <h2 id="providers">Providers</h2>
      <ErrorNotice error={list.error ?? update.error} />
      {list.loading && !list.data ? <Loading what="providers" /> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Kind</th>
              <th scope="col">Name</th>
              <th scope="col">Active</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.data.map((provider) => (
              <tr key={provider.id}>
                <td>{provider.id}</td>
                <td>{provider.kind}</td>
                <td>{provider.name}</td>
                <td>
                  <RowCheckbox
                    row={provider.id}
                    label="active"
                    checked={provider.active}
                    disabled={update.busy}
                    onChange={(checked) => void update.run(provider.id, checked)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Numbers() {
  const { client } = useSession();
  const list = useLoad(() => unwrap(client.GET('/v1/numbers')), []);
  const paged = useClientPages(list.data?.data);
  const toggle = useAction(async (number: string, active: boolean) => {
    await unwrap(client.PATCH('/v1/numbers/{number}', { params: { path: { number } }, body: { active } }));
    list.reload();
  });

  return (
    <section aria-labelledby="numbers">
      <h2 id="numbers">Numbers</h2>
      <ErrorNotice error={list.error ?? toggle.error} />
      <NumberTable rows={paged.rows} toggle={toggle} />
      <Pager {...paged.pager} />
      <AddNumber onAdded={list.reload} />
    </section>
  );
}

/** One page of the pool's numbers, each switched on or off in place. */
function NumberTable({
  rows,
  toggle,
}: {
  rows: Schemas['NumberView'][];
  toggle: { run: (number: string, active: boolean) => Promise<unknown>; busy: boolean };
}) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Provider</th>
            <th scope="col">Country</th>
            <th scope="col">Type</th>
            <th scope="col">Capabilities</th>
            <th scope="col">Segments/s</th>
            <th scope="col">Account</th>
            <th scope="col">Active</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((number) => (
            <tr key={number.number}>
              <td>{number.number}</td>
              <td>{number.provider}</td>
              <td>{number.country}</td>
              <td>{number.type}</td>
              <td>{number.capabilities.join(', ')}</td>
              <td className="num">{number.segmentsPerSecond}</td>
              <td>
                <code>{number.accountId}</code>
              </td>
              <td>
                <RowCheckbox
                  row={number.number}
                  label="active"
                  checked={number.active}
                  disabled={toggle.busy}
                  onChange={(checked) => void toggle.run(number.number, checked)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Adds a number to the pool; its throughput is optional. */
function AddNumber({ onAdded }: { onAdded: () => void }) {
  const { client } = useSession();
  const create = useAction(async (body: Schemas['CreateNumberDto']) => {
    await unwrap(client.POST('/v1/numbers', { body }));
    onAdded();
  });
  const [draft, setDraft] = useState({
    number: '',
    provider: '',
    country: '',
    type: 'longcode',
    segmentsPerSecond: '',
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void create.run({
      number: draft.number.trim(),
      provider: draft.provider.trim(),
      country: draft.country.trim(),
      type: draft.type as Schemas['CreateNumberDto']['type'],
      ...(draft.segmentsPerSecond ? { segmentsPerSecond: Number(draft.segmentsPerSecond) } : {}),
    });
  };

  return (
    <details className="panel">
      <summary>Add a number</summary>
      <form className="form-grid" onSubmit={submit} aria-label="Add a number">
        <Field label="Number">
          {(id) => (
            <input id={id} value={draft.number} onChange={(e) => setDraft({ ...draft, number: e.target.value })} />
          )}
        </Field>
        <Field label="Provider">
          {(id) => (
            <input id={id} value={draft.provider} onChange={(e) => setDraft({ ...draft, provider: e.target.value })} />
          )}
        </Field>
        <Field label="Country">
          {(id) => (
            <input id={id} value={draft.country} onChange={(e) => setDraft({ ...draft, country: e.target.value })} />
          )}
        </Field>
        <Field label="Type">
          {(id) => (
            <select id={id} value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })}>
              {SENDER_TYPES.map((type) => (
                <option key={type}>{type}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Segments per second (optional)">
          {(id) => (
            <input
              id={id}
              inputMode="numeric"
              value={draft.segmentsPerSecond}
              onChange={(e) => setDraft({ ...draft, segmentsPerSecond: e.target.value })}
            />
          )}
        </Field>
        <div className="actions">
          <button type="submit" disabled={create.busy}>
            Add number
          </button>
        </div>
      </form>
      <ErrorNotice error={create.error} />
    </details>
  );
}

function Rates() {
  const { client } = useSession();
  const routes = useLoad(() => unwrap(client.GET('/v1/routes')), []);
  const savePrice = useAction(async (id: string, price: string) => {
    await unwrap(client.PATCH('/v1/routes/{id}', { params: { path: { id } }, body: { price } }));
    routes.reload();
  });
  const remove = useAction(async (id: string) => {
    await unwrap(client.DELETE('/v1/routes/{id}', { params: { path: { id } } }));
    routes.reload();
  });
  const [country, setCountry] = useState('');
  const wanted = country.trim().toUpperCase();
  const paged = useClientPages(routes.data?.rates.filter((row) => wanted === '' || row.country === wanted));
  const rules = useClientPages(routes.data?.rules.filter((row) => wanted === '' || row.country === wanted));

  return (
    <>
      <section aria-labelledby="rates">
        <h2 id="rates">Rates</h2>
        <div className="filters">
          <Field label="Show country (ISO code)">
            {(id) => <input id={id} value={country} onChange={(e) => setCountry(e.target.value)} placeholder="all" />}
          </Field>
        </div>
        <ErrorNotice error={routes.error ?? savePrice.error ?? remove.error} />
        <RateTable rows={paged.rows} savePrice={savePrice} remove={remove} />
        <Pager {...paged.pager} />
        <AddRate onAdded={routes.reload} />
      </section>
      <CountryRules rows={rules.rows} pager={rules.pager} onChanged={routes.reload} />
    </>
  );
}

/** One page of rates, each price edited in place and each rate removable. */
function RateTable({
  rows,
  savePrice,
  remove,
}: {
  rows: Schemas['RateView'][];
  savePrice: { run: (id: string, price: string) => Promise<unknown>; busy: boolean };
  remove: { run: (id: string) => Promise<unknown>; busy: boolean };
}) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Country</th>
            <th scope="col">Prefix</th>
            <th scope="col">Price per segment</th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>{row.provider}</td>
              <td>{row.country}</td>
              <td>{row.prefix || '—'}</td>
              <td>
                <PriceEditor
                  label={`Price of ${row.provider} to ${row.country}${row.prefix ? ` ${row.prefix}` : ''}`}
                  price={row.price}
                  currency={row.currency}
                  busy={savePrice.busy}
                  onSave={(price) => void savePrice.run(row.id, price)}
                />
              </td>
              <td>
                <button type="button" onClick={() => void remove.run(row.id)} disabled={remove.busy}>
                  Remove
                  <span className="visually-hidden">
                    {' '}
                    rate {row.provider} {row.country}
                  </span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Adds a rate; prefix and currency are optional. */
function AddRate({ onAdded }: { onAdded: () => void }) {
  const { client } = useSession();
  const create = useAction(async (body: Schemas['CreateRateDto']) => {
    await unwrap(client.POST('/v1/routes', { body }));
    onAdded();
  });
  const [rate, setRate] = useState({ provider: '', country: '', prefix: '', price: '', currency: '' });

  return (
    <details className="panel">
      <summary>Add a rate</summary>
      <form
        className="form-grid"
        aria-label="Add a rate"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run({
            provider: rate.provider.trim(),
            country: rate.country.trim(),
            price: rate.price.trim(),
            ...(rate.prefix.trim() ? { prefix: rate.prefix.trim() } : {}),
            ...(rate.currency.trim() ? { currency: rate.currency.trim() } : {}),
          });
        }}
      >
        {(['provider', 'country', 'prefix', 'price', 'currency'] as const).map((name) => (
          <Field key={name} label={name === 'prefix' || name === 'currency' ? `${name} (optional)` : name}>
            {(id) => (
              <input id={id} value={rate[name]} onChange={(e) => setRate({ ...rate, [name]: e.target.value })} />
            )}
          </Field>
        ))}
        <div className="actions">
          <button type="submit" disabled={create.busy}>
            Add rate
          </button>
        </div>
      </form>
      <ErrorNotice error={create.error} />
    </details>
  );
}

/** One page of country rules, each blocked or unblocked in place, and the form that sets a country's rule. */
function CountryRules({
  rows,
  pager,
  onChanged,
}: {
  rows: Schemas['CountryRuleView'][];
  pager: ReturnType<typeof useClientPages>['pager'];
  onChanged: () => void;
}) {
  const { client } = useSession();
  const putRule = useAction(async (country: string, body: Schemas['PutCountryRuleDto']) => {
    await unwrap(client.PUT('/v1/routes/rules/{country}', { params: { path: { country } }, body }));
    onChanged();
  });

  return (
    <section aria-labelledby="rules">
      <h2 id="rules">Country rules</h2>
      <ErrorNotice error={putRule.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col">Sender types</th>
              <th scope="col">Sender id</th>
              <th scope="col">Local number</th>
              <th scope="col">Blocked</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((rule) => (
              <tr key={rule.country}>
                <td>{rule.country}</td>
                <td>{rule.allowedSenderTypes.join(', ')}</td>
                <td>{rule.senderIdPolicy}</td>
                <td>{rule.localNumberRequired ? 'required' : 'no'}</td>
                <td>
                  <RowCheckbox
                    row={rule.country}
                    label="blocked"
                    checked={rule.blocked}
                    disabled={putRule.busy}
                    onChange={(checked) => void putRule.run(rule.country, { blocked: checked })}
                  />
                </td>
                <td>
                  <Time at={rule.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager {...pager} />
      <RuleForm busy={putRule.busy} onSave={(country, body) => void putRule.run(country, body)} />
    </section>
  );
}

function PriceEditor(props: {
  label: string;
  price: string;
  currency: string;
  busy: boolean;
  onSave(price: string): void;
}) {
  const [value, setValue] = useState(props.price);

  return (
    <form
      className="inline"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSave(value.trim());
      }}
    >
      <input aria-label={props.label} value={value} size={8} onChange={(e) => setValue(e.target.value)} />{' '}
      {props.currency}{' '}
      <button type="submit" disabled={props.busy || value === props.price}>
        Save
      </button>
    </form>
  );
}

function RuleForm({
  busy,
  onSave,
}: {
  busy: boolean;
  onSave(country: string, body: Schemas['PutCountryRuleDto']): void;
}) {
  const [country, setCountry] = useState('');
  const [types, setTypes] = useState<string[]>(['longcode']);
  const [policy, setPolicy] = useState('allowed');
  const [local, setLocal] = useState(false);

  return (
    <details className="panel">
      <summary>Set a country rule</summary>
      <form
        className="form-grid"
        aria-label="Set a country rule"
        onSubmit={(event) => {
          event.preventDefault();
          onSave(country.trim(), {
            allowedSenderTypes: types as Schemas['PutCountryRuleDto']['allowedSenderTypes'],
            senderIdPolicy: policy as Schemas['PutCountryRuleDto']['senderIdPolicy'],
            localNumberRequired: local,
          });
        }}
      >
        <Field label="Country (ISO code)">
          {(id) => <input id={id} value={country} onChange={(e) => setCountry(e.target.value)} />}
        </Field>
        <fieldset>
          <legend>Allowed sender types</legend>
          {SENDER_TYPES.map((type) => (
            <label key={type} className="check">
              <input
                type="checkbox"
                checked={types.includes(type)}
                onChange={(e) => setTypes(e.target.checked ? [...types, type] : types.filter((t) => t !== type))}
              />
              {type}
            </label>
          ))}
        </fieldset>
        <Field label="Sender id policy">
          {(id) => (
            <select id={id} value={policy} onChange={(e) => setPolicy(e.target.value)}>
              <option>allowed</option>
              <option>registration</option>
              <option>forbidden</option>
            </select>
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={local} onChange={(e) => setLocal(e.target.checked)} /> Local number required
        </label>
        <div className="actions">
          <button type="submit" disabled={busy}>
            Save rule
          </button>
        </div>
      </form>
    </details>
  );
}
