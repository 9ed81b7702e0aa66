/** Sign in with the dashboard token (from the router config); the router sets a session cookie. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { login } from './live/api.js';
import { signInNote } from './store.js';

export function LoginForm({ onSignedIn }: { readonly onSignedIn: () => void }): JSX.Element {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (token.trim() === '') {
      setError('Enter the dashboard token.');
      return;
    }
    setBusy(true);
    const outcome = await login(token);
    setBusy(false);
    if (outcome.ok) {
      setToken('');
      onSignedIn();
    } else setError(outcome.message);
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>Routing dashboard</h1>
        <p class="muted">
          {signInNote.value || 'Sign in with the dashboard token from the router’s configuration.'}
        </p>
        <label for="token">Token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          aria-invalid={error !== ''}
          aria-describedby={error ? 'token-error' : undefined}
          onInput={(e) => {
            setToken(e.currentTarget.value);
            setError('');
          }}
        />
        <p id="token-error" class="field-error" role="alert">
          {error}
        </p>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
