/** The main window: sidebar (identity, presence, conversations, status), calls, pending requests, chat or settings. */
import type { JSX } from 'preact';
import { GearIcon } from '../shared/components/icons.js';
import { initials } from '../shared/format.js';
import { fatal, previews, provisioning, selected, status, view } from '../shared/store.js';
import { CallArea } from './call-panel.js';
import { ChatView } from './chat-view.js';
import { ConnectionBanner } from './connection-banner.js';
import { ConversationList } from './conversation-list.js';
import { EmptyState } from './empty-state.js';
import { HistoryBanner } from './history-banner.js';
import { UnreadableHistoryBanner } from './unreadable-history-banner.js';
import { PausedNotice } from './paused-notice.js';
import { PendingPreviews } from './pending-previews.js';
import { PresenceSelect } from './presence.js';
import { SettingsPage } from './settings-view.js';
import { SignInPage } from './sign-in/sign-in-page.js';
import { RequestsButton } from './requests-button.js';
import { RequestsPage } from './requests-view.js';
import { StatusPanel } from './status-bar.js';

function Identity(): JSX.Element {
  const account = status.value?.account;
  const name = account?.displayName || account?.uri || 'KW Desktop';
  return (
    <div class="identity">
      <span class="avatar avatar-me" aria-hidden="true">
        {initials(name)}
      </span>
      <div class="identity-text">
        <p class="identity-name" title={account?.uri}>
          {name}
        </p>
        <PresenceSelect />
      </div>
      <button
        type="button"
        class={`btn btn-icon${view.value === 'settings' ? ' is-active' : ''}`}
        aria-label="Settings"
        aria-pressed={view.value === 'settings'}
        title="Settings"
        onClick={() => {
          view.value = view.value === 'settings' ? 'chat' : 'settings';
        }}
      >
        <GearIcon />
      </button>
    </div>
  );
}

export function App(): JSX.Element {
  if (fatal.value) {
    return (
      <div class="fatal" role="alert">
        <h1>KW Desktop cannot start</h1>
        <p>{fatal.value}</p>
      </div>
    );
  }
  // First run, or a setup link the KW has to confirm (it may replace the account).
  if (status.value?.signIn || provisioning.value.state !== 'idle') return <SignInPage />;
  const c = selected.value;
  return (
    <div class="app">
      <aside class="sidebar">
        <Identity />
        <RequestsButton />
        <ConversationList />
        <StatusPanel />
      </aside>
      <main class="content">
        <ConnectionBanner />
        <UnreadableHistoryBanner history={status.value?.history} />
        <HistoryBanner history={status.value?.history} />
        <PausedNotice paused={status.value?.paused} />
        <CallArea />
        <p class="visually-hidden" aria-live="polite">
          {previews.value.length
            ? `${previews.value.length} pending request${previews.value.length > 1 ? 's' : ''}`
            : ''}
        </p>
        <PendingPreviews />
        {view.value === 'settings' ? (
          <SettingsPage />
        ) : view.value === 'requests' ? (
          <RequestsPage />
        ) : c ? (
          <ChatView key={c.interactionId} c={c} />
        ) : (
          <EmptyState />
        )}
      </main>
    </div>
  );
}
