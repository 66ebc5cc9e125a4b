import { useState } from 'react';
import { type Knobs, SIMULATED_PROVIDERS, type SimulatedProvider, simulatorApi } from '../api/simulator';
import { useSession } from '../session';
import { ErrorNotice, Field, PageHeader } from '../ui/components';
import { useAction, useLoad } from '../ui/hooks';

/** The embedded mode's provider simulator: fault knobs per provider and an inbound message (or STOP) to inject. */
export function SimulatorPage() {
  const { key } = useSession();
  const knobs = useLoad(() => simulatorApi(key).knobs(), [key]);

  return (
    <>
      <PageHeader title="Simulator" />
      <p>
        The embedded gateway's providers are simulated in-process. Make one fail or slow down and watch the router fail
        over; send a STOP and watch the opt-out appear.
      </p>
      <ErrorNotice error={knobs.error} />
      <div className="knob-grid">
        {knobs.data
          ? SIMULATED_PROVIDERS.map((provider) => (
              <KnobsForm key={provider} provider={provider} knobs={knobs.data![provider]} onSaved={knobs.reload} />
            ))
          : null}
      </div>
      <InboundForm />
    </>
  );
}

function KnobsForm({ provider, knobs, onSaved }: { provider: SimulatedProvider; knobs: Knobs; onSaved(): void }) {
  const { key } = useSession();
  const [draft, setDraft] = useState({
    latencyMs: String(knobs.latencyMs),
    dlrDelayMs: String(knobs.dlrDelayMs),
    transient: String(knobs.errorRate.transient),
    permanent: String(knobs.errorRate.permanent),
    delivered: String(knobs.dlrOutcomes.delivered),
    undelivered: String(knobs.dlrOutcomes.undelivered),
    failed: String(knobs.dlrOutcomes.failed),
  });
  const save = useAction(async () => {
    await simulatorApi(key).setKnobs(provider, {
      latencyMs: Number(draft.latencyMs),
      dlrDelayMs: Number(draft.dlrDelayMs),
      errorRate: { ...knobs.errorRate, transient: Number(draft.transient), permanent: Number(draft.permanent) },
      dlrOutcomes: {
        delivered: Number(draft.delivered),
        undelivered: Number(draft.undelivered),
        failed: Number(draft.failed),
      },
    });
    onSaved();

    return true;
  });
  const fields: [keyof typeof draft, string][] = [
    ['latencyMs', 'Latency (ms)'],
    ['dlrDelayMs', 'Receipt delay (ms)'],
    ['transient', 'Transient error rate (0–1)'],
    ['permanent', 'Permanent error rate (0–1)'],
    ['delivered', 'Weight: delivered'],
    ['undelivered', 'Weight: undelivered'],
    ['failed', 'Weight: failed'],
  ];

  return (
    <form
      className="panel knobs"
      aria-label={`${provider} knobs`}
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <h2>{provider}</h2>
      {fields.map(([name, label]) => (
        <Field key={name} label={label}>
          {(id) => (
            <input
              id={id}
              inputMode="decimal"
              value={draft[name]}
              onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
            />
          )}
        </Field>
      ))}
      <button type="submit" disabled={save.busy}>
        Save {provider}
      </button>
      {save.result && !save.error ? <span role="status"> Saved.</span> : null}
      <ErrorNotice error={save.error} />
    </form>
  );
}

function InboundForm() {
  const { key } = useSession();
  const [provider, setProvider] = useState<SimulatedProvider>('twilio');
  const [from, setFrom] = useState('+447400123456');
  const [to, setTo] = useState('');
  const [body, setBody] = useState('Hello');
  const send = useAction((text: string) =>
    simulatorApi(key).inbound(provider, { from: from.trim(), to: to.trim(), body: text }),
  );

  return (
    <section aria-labelledby="inject" className="panel">
      <h2 id="inject">Send an inbound message</h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void send.run(body);
        }}
      >
        <Field label="Through provider">
          {(id) => (
            <select id={id} value={provider} onChange={(e) => setProvider(e.target.value as SimulatedProvider)}>
              {SIMULATED_PROVIDERS.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From (the handset)">
          {(id) => <input id={id} required value={from} onChange={(e) => setFrom(e.target.value)} />}
        </Field>
        <Field label="To (one of our numbers)" hint="A number of the routing pool, e.g. from the Routing page.">
          {(id, hint) => (
            <input id={id} aria-describedby={hint} required value={to} onChange={(e) => setTo(e.target.value)} />
          )}
        </Field>
        <Field label="Body">
          {(id) => <input id={id} required value={body} onChange={(e) => setBody(e.target.value)} />}
        </Field>
        <div className="actions">
          <button type="submit" disabled={send.busy}>
            Send inbound
          </button>
          <button type="button" disabled={send.busy} onClick={() => void send.run('STOP')}>
            Send STOP
          </button>
        </div>
      </form>
      <ErrorNotice error={send.error} />
      {send.result && !send.error ? <p role="status">Sent: the gateway received it as an inbound webhook.</p> : null}
    </section>
  );
}
