import { type FormEvent, useState } from 'react';
import { useSessionState } from '../session';
import { ErrorNotice, Field } from '../ui/components';
import { useAction } from '../ui/hooks';

export function SignInPage() {
  const { signIn } = useSessionState();
  const [key, setKey] = useState('');
  const action = useAction(signIn);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void action.run(key);
  };

  return (
    <main id="main" className="sign-in" aria-labelledby="page-title">
      <h1 id="page-title">Sign in to the SMS gateway</h1>
      <p>
        Paste an API key. <code>npm start</code> prints one on the embedded gateway;{' '}
        <code>npm run api-key -- create</code> makes more. The key is kept in this tab only (session storage) and sent
        to this gateway alone.
      </p>
      <form onSubmit={submit}>
        <Field label="API key">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="off"
              spellCheck={false}
              required
              value={key}
              onChange={(event) => setKey(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={action.busy || key.trim() === ''}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ErrorNotice error={action.error} />
    </main>
  );
}
