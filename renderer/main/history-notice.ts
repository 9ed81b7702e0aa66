/** What the history banner says: the core's sentence while history is not saved, nothing otherwise. */
import type { StatusView } from '../../preload/contract.js';

/** Said when the core reports no reason (it always should). */
const FALLBACK = "History can't be saved. Chats are kept until you quit.";

export function historyNotice(history: StatusView['history'] | undefined): string | null {
  if (history === undefined || history.saving) return null;
  return history.problem?.trim() || FALLBACK;
}
