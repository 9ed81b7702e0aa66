/** Reading main's messages: validation, and the answer to one that fails it. */
import * as v from 'valibot';
import { ToHostSchema, type FromHost, type ToHost } from '../../wire/media-host.js';

/** The request id of a message that failed validation, when it has a usable one (so main gets its error). */
function idOf(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return undefined;
  const id = raw.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 ? id : undefined;
}

export type Parsed =
  | { readonly ok: true; readonly message: ToHost }
  /** `reply` is the BadRequest error for main, or undefined when the message has no id to answer. */
  | { readonly ok: false; readonly reply: FromHost | undefined; readonly problem: string };

export function parseToHost(raw: unknown): Parsed {
  const parsed = v.safeParse(ToHostSchema, raw);
  if (parsed.success) return { ok: true, message: parsed.output };
  const id = idOf(raw);
  const issue = parsed.issues[0];
  const path = issue ? v.getDotPath(issue) : null;
  const problem = `invalid request${path ? ` at ${path}` : ''}: ${issue?.message ?? 'invalid'}`;
  const reply: FromHost | undefined =
    id === undefined ? undefined : { kind: 'error', id, name: 'BadRequest', message: problem.slice(0, 1024) };
  return { ok: false, reply, problem };
}
