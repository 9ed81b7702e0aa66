/** What the history banner says: the core's sentence while history is not saved, nothing otherwise. */
import type { StatusView } from '../../preload/contract.js';

/** Said when the core reports no reason (it always should). */
const FALLBACK = "History can't be saved. Chats are kept until you quit.";

/** The choice offered when history from before could not be decrypted at start: its sentence, or null. */
export function unreadableNotice(history: StatusView['history'] | undefined): string | null {
  const unreadable = history?.unreadable;
  if (unreadable === undefined) return null;
  return (
    `Your chat history from before can't be read on this computer (${unreadable.reason}). ` +
    `It was kept aside in ${unreadable.folder}.`
  );
}

export function historyNotice(history: StatusView['history'] | undefined): string | null {
  if (history === undefined || history.saving) return null;
  return history.problem?.trim() || FALLBACK;
}
