/**
 * The Requests section: every request that ended without this KW (missed,
 * declined, taken by another expert, withdrawn…), newest first, with who,
 * subject, when and what happened in a sentence. Opening it while the window
 * is visible marks them seen (the tray's count goes); the ones that were new
 * stay marked "New" for this visit. Names, subjects and sentences are network
 * text: <NetText> only.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { RequestEntryView } from '../../preload/contract.js';
import { NetText } from '../shared/components/net-text.js';
import { now } from '../shared/clock.js';
import { kwApi } from '../shared/kw.js';
import { conversations, requests, select } from '../shared/store.js';
import { newDuringVisit, requestKindLabel, requestTime, requestTone } from './requests-model.js';
import { PageHead } from './page-head.js';

/** Marks everything seen whenever there is something unseen and the KW can see the section. */
function useMarkSeen(unseen: number): void {
  useEffect(() => {
    const mark = (): void => {
      if (document.hidden || requests.peek().unseen === 0) return;
      kwApi()
        ?.requests.markSeen({})
        .catch(() => undefined); // Still unseen: the count stays, nothing else to tell the KW.
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [unseen]);
}

export function RequestsPage(): JSX.Element {
  const { entries, unseen } = requests.value;
  const [fresh, setFresh] = useState<ReadonlySet<string>>(() => newDuringVisit(new Set(), entries));
  useEffect(() => setFresh((shown) => newDuringVisit(shown, entries)), [entries]);
  useMarkSeen(unseen);
  return (
    <section class="requests" data-testid="requests" aria-labelledby="h-requests">
      <PageHead id="h-requests" title="Requests">
        {entries.length > 0 && <span class="count">{entries.length}</span>}
      </PageHead>
      <div class="requests-scroll">
        <p class="requests-intro">
          Requests that ended without you: missed, declined, taken by another expert or withdrawn. The last
          100 are kept.
        </p>
        {entries.length === 0 ? (
          <p class="list-empty" data-testid="requests-empty">
            Nothing missed. Requests you miss or decline will be listed here.
          </p>
        ) : (
          <ol class="request-list">
            {entries.map((e) => (
              <RequestItem key={e.id} entry={e} isNew={fresh.has(e.id)} />
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}

function RequestItem(props: { entry: RequestEntryView; isNew: boolean }): JSX.Element {
  const e = props.entry;
  const chat = e.interactionId
    ? conversations.value.find((c) => c.interactionId === e.interactionId)
    : undefined;
  return (
    <li
      class={`request tone-${requestTone(e.outcome)}${props.isNew ? ' is-new' : ''}`}
      data-testid="request-entry"
      data-outcome={e.outcome}
      data-kind={e.kind}
    >
      <div class="request-top">
        <NetText text={e.agent.displayName || e.agent.uri} fit="line" class="request-agent" />
        {props.isNew && <span class="request-new">New</span>}
        <time class="request-time" dateTime={e.offeredAt} title={new Date(e.offeredAt).toLocaleString()}>
          {requestTime(e.offeredAt, now.value)}
        </time>
      </div>
      <div class="request-about">
        <span class="request-kind">{requestKindLabel(e.kind)}</span>
        <span aria-hidden="true"> · </span>
        {e.subject ? (
          <NetText text={e.subject} fit="line" class="request-subject" />
        ) : (
          <span class="request-subject muted">No subject</span>
        )}
      </div>
      <p class="request-text" data-testid="request-text">
        <NetText text={e.text} fit="wrap" />
      </p>
      {chat && (
        <button type="button" class="btn-link request-open" onClick={() => select(chat.interactionId)}>
          Open the chat
        </button>
      )}
    </li>
  );
}
