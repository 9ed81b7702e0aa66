/**
 * The connection as the renderer and the tray see it: a short line for the
 * status panel, the countdown's target, and while the KW cannot be reached,
 * the problem in a sentence with its technical detail apart.
 */
import type { StatusView } from '../../preload/contract.js';
import { problemOf, type ConnectionState } from '../core/sip/connection-state.js';
import { outcomeSentence } from '../core/sip/outcome-text.js';

export function connectionView(state: ConnectionState): StatusView['connection'] {
  const problem = problemOf(state);
  return {
    phase: state.phase,
    text: connectionLine(state),
    ...(state.phase === 'retrying' ? { retryAt: state.retryAt } : {}),
    ...(problem
      ? {
          problem: {
            kind: problem.kind,
            sentence: outcomeSentence({
              kind: 'connection',
              problem: problem.kind,
              ...('status' in problem && problem.status !== undefined ? { status: problem.status } : {}),
            }),
            detail: problem.detail,
          },
        }
      : {}),
  };
}

/** One line for the status panel; the renderer adds the countdown. */
function connectionLine(state: ConnectionState): string {
  if (problemOf(state)) return 'Not connected';
  switch (state.phase) {
    case 'stopped':
      return 'Not connected';
    case 'connecting':
      return `Connecting to ${state.server}…`;
    case 'registering':
      return `Signing in to ${state.server}…`;
    case 'registered':
      return `Registered with ${state.server}`;
    case 'retrying':
      return 'Not connected';
    case 'stopping':
      return 'Signing out…';
  }
}
