/**
 * The one path a command from a renderer takes, whatever the transport
 * (Electron IPC or the harness WebSocket): the sending window may call it
 * (preload/contract.ts WINDOW_COMMANDS), its input is valid, and a window
 * starts (`app.ready`) only as what it is; else a precise refusal (logged,
 * nothing changed); then the handler.
 */
import {
  checkCommand,
  isCommandName,
  windowCommandProblem,
  type CommandName,
  type WindowKind,
} from '../../preload/contract.js';
import type { Logger } from '../core/log.js';
import { withoutStatusLine } from '../core/sip/outcome-text.js';
import type { CommandHandlers } from './kw-app.js';

export type CommandResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export async function runCommand(
  handlers: CommandHandlers,
  name: string,
  input: unknown,
  logger: Logger,
  window: WindowKind,
): Promise<CommandResult> {
  const check = admit(name, input, window);
  if (!check.ok) {
    logger.warn('command refused', { command: name.slice(0, 64), window, error: check.error });
    return { ok: false, error: check.error };
  }
  const handler = handlers[name as CommandName] as (input: unknown) => Promise<unknown>;
  try {
    return { ok: true, value: await handler(check.input) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn('command failed', { command: name, window, error: message });
    // The person reads a sentence; the status line stays in the log above.
    return { ok: false, error: withoutStatusLine(message) };
  }
}

/** The validated input, or why the command may not run: privilege first (before the input is parsed), then the input. */
function admit(
  name: string,
  input: unknown,
  window: WindowKind,
): { readonly ok: true; readonly input: unknown } | { readonly ok: false; readonly error: string } {
  const denied = isCommandName(name) ? windowCommandProblem(window, name) : undefined;
  if (denied) return { ok: false, error: denied };
  const check = checkCommand(name, input);
  if (!check.ok) return check;
  // A page may not start as another window kind (it would be answered as that window).
  const claimed = name === 'app.ready' ? (check.input as { window: WindowKind }).window : window;
  if (claimed !== window)
    return { ok: false, error: `the ${window} window may not start as the ${claimed} window` };
  return { ok: true, input: check.input };
}
