import { type FormEvent, useState } from 'react';
import type { Schemas } from '../api/client';
import { Field } from '../ui/components';

/** A send's fields; the initial values let "resend as new" start from an earlier message. */
export function SendForm({
  initial,
  busy,
  onSend,
  submitLabel = 'Send',
}: {
  initial?: Partial<Schemas['SendMessageDto']>;
  busy: boolean;
  onSend(body: Schemas['SendMessageDto']): void | Promise<void>;
  submitLabel?: string;
}) {
  const [to, setTo] = useState(initial?.to ?? '');
  const [from, setFrom] = useState(initial?.from ?? '');
  const [body, setBody] = useState(initial?.body ?? '');
  const [messageClass, setMessageClass] = useState<'transactional' | 'marketing'>(
    initial?.messageClass ?? 'transactional',
  );
  const [clientReference, setClientReference] = useState(initial?.clientReference ?? '');
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void onSend({
      to: to.trim(),
      body,
      messageClass,
      ...(from.trim() ? { from: from.trim() } : {}),
      ...(clientReference.trim() ? { clientReference: clientReference.trim() } : {}),
    });
  };

  return (
    <form className="form-grid" onSubmit={submit}>
      <Field label="To (E.164)">
        {(id) => (
          <input id={id} required value={to} onChange={(e) => setTo(e.target.value)} placeholder="+447400123456" />
        )}
      </Field>
      <Field label="From (optional)">
        {(id) => <input id={id} value={from} onChange={(e) => setFrom(e.target.value)} />}
      </Field>
      <Field label="Class">
        {(id) => (
          <select
            id={id}
            value={messageClass}
            onChange={(e) => setMessageClass(e.target.value as 'transactional' | 'marketing')}
          >
            <option>transactional</option>
            <option>marketing</option>
          </select>
        )}
      </Field>
      <Field label="Client reference (optional)">
        {(id) => <input id={id} value={clientReference} onChange={(e) => setClientReference(e.target.value)} />}
      </Field>
      <Field label="Body">
        {(id) => <textarea id={id} required rows={3} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
