/**
 * The conversation with all its messages. The list holds only a summary of an
 * ended conversation whose history is on disk (its last message, `summary`
 * set): shown, it is asked for whole (`chats.open`), and dropped again
 * when another is shown, so the page does not keep every chat either.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ConversationView } from '../../../preload/contract.js';
import { errorText, kwApi } from '../../shared/kw.js';

export interface WholeConversation {
  readonly view: ConversationView;
  /** Set while the messages are being read. */
  readonly loading: boolean;
  /** Why the messages could not be read, a sentence. */
  readonly problem: string;
}

interface Loaded {
  readonly id: string;
  readonly view?: ConversationView;
  readonly problem?: string;
}

export function useWholeConversation(c: ConversationView): WholeConversation {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const id = c.interactionId;
  const partial = c.summary !== undefined;
  useEffect(() => {
    const kw = kwApi();
    if (!partial || !kw) return;
    let current = true;
    kw.chats.open({ interactionId: id }).then(
      (view) => current && setLoaded({ id, view }),
      (error: unknown) => current && setLoaded({ id, problem: errorText(error) }),
    );
    return () => {
      current = false;
    };
  }, [id, partial]);
  if (!partial) return { view: c, loading: false, problem: '' };
  const mine = loaded?.id === id ? loaded : undefined;
  if (mine?.view) return { view: mine.view, loading: false, problem: '' };
  return {
    view: c,
    loading: mine === undefined,
    problem: mine?.problem ? `The earlier messages could not be read from your history: ${mine.problem}` : '',
  };
}
