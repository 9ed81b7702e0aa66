/**
 * The renderer's state: signals fed by the `app.ready` snapshot and then by
 * events. Components read these signals and call `window.kw` for commands.
 * Importing it starts nothing: the page's entry calls `start` (and starts the
 * clock, in clock.ts, when the page shows a countdown or a timer).
 */
import { batch, computed, signal } from '@preact/signals';
import type {
  AppSnapshot,
  CallView,
  ConversationView,
  KwApi,
  ProvisioningView,
  RequestsView,
  StatusView,
  WindowKind,
} from '../../preload/contract.js';
import { errorText } from './kw.js';
import { DraftStore, SelectionMemory, windowSessionStorage } from './session-memory.js';
import {
  applyTyping,
  filterConversations,
  inboundCount,
  orderPreviews,
  typingAfterUpdate,
  upsertConversation,
} from './model.js';

export const status = signal<StatusView | null>(null);
export const conversations = signal<readonly ConversationView[]>([]);
export const typing = signal<ReadonlySet<string>>(new Set());
/** Every current call, and the ones that ended in the last seconds. */
export const calls = signal<readonly CallView[]>([]);
export const selectedId = signal<string | null>(null);
export const view = signal<'chat' | 'settings' | 'requests'>('chat');
/** Requests that ended without the KW (missed, declined, taken…), newest first; `unseen` until the section is opened. */
export const requests = signal<RequestsView>({ entries: [], unseen: 0 });
/** A setup link from the organization, while one is being fetched, shown or applied (main window). */
export const provisioning = signal<ProvisioningView>({ state: 'idle' });
export const query = signal('');
export const unread = signal<ReadonlySet<string>>(new Set());
/** Set when the app could not start (no `window.kw`, or `app.ready` failed). */
export const fatal = signal<string | null>(null);
/** Bumped when main asks to focus a conversation, so the composer can take focus. */
export const focusRequest = signal(0);

export const previews = computed(() => orderPreviews(status.value?.previews ?? []));
export const visibleConversations = computed(() => filterConversations(conversations.value, query.value));
export const selected = computed(
  () => conversations.value.find((c) => c.interactionId === selectedId.value) ?? null,
);

/** Drafts per conversation survive switching between conversations and reloading the window. */
export const drafts = new DraftStore(windowSessionStorage());
/** The selected conversation survives reloading the window. */
const selection = new SelectionMemory(windowSessionStorage());

export function select(interactionId: string | null): void {
  selection.write(interactionId);
  batch(() => {
    selectedId.value = interactionId;
    view.value = 'chat';
    if (interactionId && unread.value.has(interactionId)) {
      const next = new Set(unread.value);
      next.delete(interactionId);
      unread.value = next;
    }
  });
}

function applySnapshot(snapshot: AppSnapshot): void {
  batch(() => {
    status.value = snapshot.status;
    conversations.value = snapshot.conversations;
    calls.value = snapshot.calls;
    requests.value = snapshot.requests;
    provisioning.value = snapshot.provisioning;
  });
  restoreSelection(snapshot.conversations);
}

/** After a reload: the conversation that was selected, if it is still there; drafts of the others go. */
function restoreSelection(list: readonly ConversationView[]): void {
  drafts.keepOnly(new Set(list.filter((c) => c.state === 'active').map((c) => c.interactionId)));
  const remembered = selection.read();
  if (selectedId.value !== null || remembered === null) return;
  if (list.some((c) => c.interactionId === remembered)) select(remembered);
  else selection.write(null);
}

function applyConversation(c: ConversationView): void {
  const before = conversations.value.find((x) => x.interactionId === c.interactionId);
  batch(() => {
    conversations.value = upsertConversation(conversations.value, c);
    typing.value = typingAfterUpdate(typing.value, before, c);
    const isVisible = selectedId.value === c.interactionId && view.value === 'chat' && !document.hidden;
    if (inboundCount(c) > inboundCount(before) && !isVisible) {
      unread.value = new Set(unread.value).add(c.interactionId);
    }
  });
}

/**
 * Subscribes to events, then asks main for the snapshot. Events that arrive
 * before the snapshot are applied after it, so the snapshot never overwrites newer state.
 */
export async function start(kw: KwApi, window: WindowKind): Promise<void> {
  let ready = false;
  const early: (() => void)[] = [];
  const on = <T>(apply: (payload: T) => void) => {
    return (payload: T) => {
      if (ready) apply(payload);
      else early.push(() => apply(payload));
    };
  };
  kw.on(
    'status',
    on((s: StatusView) => {
      status.value = s;
    }),
  );
  kw.on('conversation', on(applyConversation));
  kw.on(
    'calls',
    on((list: readonly CallView[]) => {
      calls.value = list;
    }),
  );
  kw.on(
    'typing',
    on((t: { interactionId: string; active: boolean }) => {
      typing.value = applyTyping(typing.value, t);
    }),
  );
  kw.on(
    'requests',
    on((r: RequestsView) => {
      requests.value = r;
    }),
  );
  kw.on(
    'provisioning',
    on((p: ProvisioningView) => {
      provisioning.value = p;
    }),
  );
  kw.on(
    'showRequests',
    on(() => {
      view.value = 'requests';
    }),
  );
  kw.on(
    'focus',
    on((f: { interactionId: string }) => {
      select(f.interactionId);
      focusRequest.value++;
    }),
  );
  try {
    applySnapshot(await kw.app.ready({ window }));
  } catch (error) {
    fatal.value = `Could not reach the KW Desktop core: ${errorText(error)}`;
  }
  ready = true;
  batch(() => {
    for (const apply of early.splice(0)) apply();
  });
}
