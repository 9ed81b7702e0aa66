/**
 * The one path a command from a renderer takes, whatever the transport
 * (Electron IPC or the harness WebSocket): validate against the contract,
 * refuse with a precise error (logged, nothing changed), else run the handler.
 */
import { checkCommand, type CommandName } from '../../preload/contract.js';
import type { Logger } from '../core/log.js';
import type { CommandHandlers } from './kw-app.js';

export type CommandResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export async function runCommand(
  handlers: CommandHandlers,
  name: string,
  input: unknown,
  logger: Logger,
): Promise<CommandResult> {
  const check = checkCommand(name, input);
  if (!check.ok) {
    logger.warn('command refused', { command: name.slice(0, 64), error: check.error });
    return { ok: false, error: check.error };
  }
  const handler = handlers[name as CommandName] as (input: unknown) => Promise<unknown>;
  try {
    return { ok: true, value: await handler(check.input) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.warn('command failed', { command: name, error: message });
    return { ok: false, error: message };
  }
}
