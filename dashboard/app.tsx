/** The dashboard: the login form until the live feed opens, then the live view or the dry run. */
import type { JSX } from 'preact';
import { DryRunPage } from './dry-run/dry-run-page.js';
import { Header } from './header.js';
import { LiveView } from './live-view.js';
import { LoginForm } from './login-form.js';
import { auth, feedState, view } from './store.js';

export function App({ onSignedIn }: { readonly onSignedIn: () => void }): JSX.Element {
  if (auth.value === 'signed-out') return <LoginForm onSignedIn={onSignedIn} />;
  if (auth.value === 'checking' && feedState.value !== 'outdated') {
    return (
      <main class="login">
        <p class="muted" role="status">
          Connecting to the router…
        </p>
      </main>
    );
  }
  return (
    <>
      <Header />
      {view.value === 'live' ? <LiveView /> : <DryRunPage />}
    </>
  );
}
