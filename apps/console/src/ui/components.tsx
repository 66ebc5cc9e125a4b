import { type ReactNode, useId } from 'react';
import type { ApiError } from '../api/client';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A timestamp in the browser's time zone; the exact UTC instant on hover and for screen readers' machine. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) {
    return <span className="muted">—</span>;
  }
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) {
    return <span>{at}</span>;
  }

  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {dateTime.format(date)}
    </time>
  );
}

/** The API's error as it words it: code and message (and the field, for validation errors). */
export function ErrorNotice({ error }: { error: ApiError | null }) {
  if (!error) {
    return null;
  }

  return (
    <div className="error" role="alert">
      <strong>
        {error.status === 0 ? 'No answer' : error.status} <code>{error.code}</code>
      </strong>{' '}
      {error.message}
      {error.field ? (
        <span>
          {' '}
          (field <code>{error.field}</code>)
        </span>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

/** A labelled form control: the label is tied to the control by id, so screen readers announce it. */
export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {hint ? (
        <small id={hintId} className="muted">
          {hint}
        </small>
      ) : null}
    </div>
  );
}

/** Cursor pagination: "Newer" goes back through the cursors already seen, "Older" follows nextCursor. */
export function Pager({
  page,
  nextCursor,
  onFirst,
  onPrevious,
  onNext,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onFirst(): void;
  onPrevious(): void;
  onNext(cursor: string): void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={onFirst} disabled={page === 0}>
        First
      </button>
      <button type="button" onClick={onPrevious} disabled={page === 0}>
        Newer
      </button>
      <span aria-live="polite">Page {page + 1}</span>
      <button type="button" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
        Older
      </button>
    </nav>
  );
}

/** Raw text as the provider or the API sent it, scrollable, never interpreted as HTML. */
export function Raw({ label, value }: { label: string; value: unknown }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);

  return (
    <pre className="raw" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}

/** A page's header: one h1 per page (the main landmark's name). */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1 id="page-title">{title}</h1>
      {children}
    </header>
  );
}

/** Shown instead of a control the key's scopes do not allow: the user sees why it is missing. */
export function NeedsScope({ scope, what }: { scope: string; what: string }) {
  return (
    <p className="muted needs-scope">
      {what} needs the <code>{scope}</code> scope, which this key does not have.
    </p>
  );
}

/**
 * A table row's on/off switch: the visible label is the column's word, and screen readers hear the row's name
 * before it ("+447400900999 active"), so each box in a column has a name of its own.
 */
export function RowCheckbox({
  row,
  label,
  checked,
  disabled,
  onChange,
}: {
  row: string;
  label: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
      />
      <span className="visually-hidden">{row} </span>
      {label}
    </label>
  );
}
