/**
 * The plain-text preview for KWs on plain SIP phones (issue 16, point 4): a
 * phone that answers `415` to the control message's JSON gets the same offer
 * as one line of text, and answers it with a text reply ("1" / "2"). Pure:
 * the sentences and the reply parser; text-offers.ts does the sending.
 */
import type { ControlInput } from '../wire/control.js';
import type { CancelReason } from './engine.js';

/** How much of the agent's question the text carries: a phone shows it in a chat bubble. */
export const TEXT_PREVIEW_QUESTION_CHARS = 300;

export const TEXT_REPLY_HINT = 'Reply 1 to accept or 2 to decline.';
export const TEXT_REQUEST_ENDED = 'This request has ended.';
export const TEXT_ANSWER_NOT_RECORDED = 'Your answer could not be recorded. Please reply again.';
export const TEXT_DECLINED = 'Declined.';

export type TextDecision = 'accept' | 'decline';

/**
 * "Agent One asks: Refund — The customer wants … — CardNumber: •••• 1234 —
 * Reply 1 to accept, 2 to decline within 20 s." One line: every phone shows it
 * whole, and a line break from the agent cannot fake a second message.
 * `preview` is the masked one (router.ts masks before it gets here).
 */
export function textPreview(preview: ControlInput<'preview'>, secondsLeft: number): string {
  const subject = oneLine(preview.subject);
  const question = shorten(oneLine(preview.text), TEXT_PREVIEW_QUESTION_CHARS);
  const parts = [`${oneLine(preview.agent.displayName) || preview.agent.uri} asks: ${subject || question}`];
  if (subject !== '' && question !== '' && question !== subject) parts.push(question);
  const data = Object.entries(preview.userData).map(([k, value]) => `${k}: ${oneLine(value)}`);
  if (data.length > 0) parts.push(data.join(', '));
  const seconds = Math.max(1, Math.floor(secondsLeft));
  parts.push(`Reply 1 to accept, 2 to decline within ${seconds} s.`);
  return parts.join(' — ');
}

/** "1" / "accept" → accept, "2" / "decline" → decline (any case, spaces around, a final "." or "!"); else undefined. */
export function parseTextReply(body: string): TextDecision | undefined {
  const word = body
    .trim()
    .replace(/[.!]+$/, '')
    .trim()
    .toLowerCase();
  if (word === '1' || word === 'accept') return 'accept';
  if (word === '2' || word === 'decline') return 'decline';
  return undefined;
}

/** What the phone is told when the offer ends without its answer. */
export function textCancel(agentName: string, reason: CancelReason): string {
  switch (reason) {
    case 'timeout':
      return `Time is up: the request from ${agentName} has ended.`;
    case 'taken':
      return `Someone else took the request from ${agentName}.`;
    case 'withdrawn':
      return `${agentName} withdrew the request.`;
  }
}

export function textAccepted(agentName: string): string {
  return `Accepted. ${agentName} will write to you; reply here to write to them.`;
}

export function textChatEnded(agentName: string): string {
  return `The chat with ${agentName} has ended.`;
}

/** Control characters and line breaks become spaces, runs of spaces one space. */
function oneLine(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}…`;
}
