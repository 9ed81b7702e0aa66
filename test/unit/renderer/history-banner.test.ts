/**
 * The history banner: the core's sentence while history is not saved, in a
 * live region that is always in the page, as text. The component is imported
 * by a computed path: the test project compiles without JSX, and Vitest builds
 * the .tsx with the renderer's tsconfig (Preact's JSX runtime).
 */
import { describe, expect, it } from 'vitest';
import type { StatusView } from '../../../preload/contract.js';
import { historyNotice } from '../../../renderer/main/history-notice.js';

interface Node {
  readonly type: unknown;
  readonly props: Record<string, unknown> & { children?: unknown };
}

const PROBLEM =
  "History can't be saved: the folder /home/kim/.config/KW Desktop/history is read-only. Chats are kept until you quit.";

async function renderBanner(history: StatusView['history']): Promise<Node> {
  const path = '../../../renderer/main/history-banner.js';
  const { HistoryBanner } = (await import(/* @vite-ignore */ path)) as {
    HistoryBanner: (props: { history: StatusView['history'] }) => Node;
  };
  return HistoryBanner({ history });
}

/** The text of a VNode tree, strings only (nothing is HTML). */
function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (node && typeof node === 'object' && 'props' in node) return textOf((node as Node).props.children);
  return '';
}

describe('history banner', () => {
  it('says nothing while history is saved', async () => {
    expect(historyNotice({ saving: true })).toBeNull();
    expect(historyNotice(undefined)).toBeNull();
    const region = await renderBanner({ saving: true });
    expect(region.props).toMatchObject({ role: 'status', 'aria-live': 'polite' });
    expect(textOf(region)).toBe('');
  });

  it("shows the core's sentence as text in the live region while it is not", async () => {
    expect(historyNotice({ saving: false, problem: PROBLEM })).toBe(PROBLEM);
    const region = await renderBanner({ saving: false, problem: PROBLEM });
    expect(region.type).toBe('div');
    expect(region.props).toMatchObject({ class: 'history-status', role: 'status', 'aria-live': 'polite' });
    const banner = region.props.children as Node;
    expect(banner.props.class).toBe('history-banner');
    expect(banner.props.dangerouslySetInnerHTML).toBeUndefined();
    expect(textOf(region)).toBe(PROBLEM);
  });

  it('falls back to a sentence when the core gives no reason', () => {
    expect(historyNotice({ saving: false })).toBe("History can't be saved. Chats are kept until you quit.");
    expect(historyNotice({ saving: false, problem: '  ' })).toBe(
      "History can't be saved. Chats are kept until you quit.",
    );
  });
});
