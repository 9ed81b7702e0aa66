/**
 * Conversations exported to a file a person can read: JSON (the conversation
 * view fields, as the renderer sees them) or one self-contained HTML page
 * (every text escaped, no script, only inline CSS, a CSP that forbids loading
 * anything). Where the file goes is the host's: a save dialog in Electron
 * (main/electron/save-dialog.ts), a download in the harness page.
 */
import type { ConversationView, HistoryExportResult } from '../../preload/contract.js';

export type ExportFormat = 'json' | 'html';

export interface ExportFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly content: string;
}

/** Where an export goes: the host asks the KW where to save it, or hands it to the page. */
export interface HistoryExportTarget {
  deliver(file: ExportFile): Promise<HistoryExportResult>;
}

const MIME: Record<ExportFormat, string> = {
  json: 'application/json',
  html: 'text/html',
};

export function exportFile(
  conversations: readonly ConversationView[],
  format: ExportFormat,
  now: Date,
  single: boolean,
): ExportFile {
  const date = now.toISOString().slice(0, 10);
  const first = conversations[0];
  const stem = single && first ? `kw-chat-${slug(first.subject) || first.interactionId}` : 'kw-history';
  const content = format === 'json' ? jsonOf(conversations, now) : htmlOf(conversations, now);
  return { fileName: `${stem}-${date}.${format}`, mimeType: MIME[format], content };
}

function jsonOf(conversations: readonly ConversationView[], now: Date): string {
  return `${JSON.stringify({ exportedBy: 'KW Desktop', exportedAt: now.toISOString(), conversations }, null, 2)}\n`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:50rem;padding:0 1rem;color:#1d2430;background:#fff}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin:2rem 0 .25rem}section{border-top:1px solid #d5dae1;padding-top:.5rem}
.meta{color:#5a6472;margin:.1rem 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem}dt{color:#5a6472}
ol{list-style:none;padding:0}li{margin:.5rem 0;padding:.4rem .6rem;border-radius:.5rem;background:#f1f3f6;white-space:pre-wrap}
li.out{background:#e3efff;margin-left:3rem}li.in{margin-right:3rem}.who{font-size:.8rem;color:#5a6472;display:block}
@media (prefers-color-scheme:dark){body{background:#15191f;color:#e6e9ee}li{background:#232a33}li.out{background:#1d3350}.meta,dt,.who{color:#9aa5b3}}`;

function htmlOf(conversations: readonly ConversationView[], now: Date): string {
  const title =
    conversations.length === 1 ? `Chat: ${conversations[0]?.subject ?? ''}` : 'KW Desktop chat history';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">Exported from KW Desktop on ${escapeHtml(now.toISOString())} · ${conversations.length} conversation${conversations.length === 1 ? '' : 's'}</p>`,
    ...conversations.map(sectionOf),
    '</body></html>',
    '',
  ].join('\n');
}

function sectionOf(c: ConversationView): string {
  const data = Object.entries(c.userData);
  const rows = data.map(([k, val]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(val)}</dd>`).join('');
  const messages = c.messages
    .map((m) => {
      const who = m.direction === 'in' ? c.agent.displayName || c.agent.uri : 'Me';
      return `<li class="${m.direction}"><span class="who">${escapeHtml(who)} · ${escapeHtml(m.at)}</span>${escapeHtml(m.text)}</li>`;
    })
    .join('\n');
  const calls = c.calls
    .map(
      (r) =>
        `<li>Call with ${escapeHtml(r.remote.displayName || r.remote.uri)}: ${escapeHtml(r.outcome)} · ${escapeHtml(r.offeredAt)}</li>`,
    )
    .join('\n');
  return [
    '<section>',
    `<h2>${escapeHtml(c.subject || c.interactionId)}</h2>`,
    `<p class="meta">With ${escapeHtml(c.agent.displayName)} &lt;${escapeHtml(c.agent.uri)}&gt; · started ${escapeHtml(c.startedAt)}${c.endedAt ? ` · ended ${escapeHtml(c.endedAt)}` : ''} · interaction ${escapeHtml(c.interactionId)}</p>`,
    data.length > 0 ? `<dl>${rows}</dl>` : '',
    `<ol>${messages}</ol>`,
    calls ? `<h3>Calls</h3><ol>${calls}</ol>` : '',
    '</section>',
  ].join('\n');
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text: nothing from a conversation is ever markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** A short file-name-safe form of a subject. */
function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .toLowerCase();
}
