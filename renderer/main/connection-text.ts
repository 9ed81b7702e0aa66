/**
 * What the main window says about the connection, from the status view: pure
 * (no DOM), so it is unit-tested in Node. The sentences come from main
 * (main/core/sip/outcome-text.ts); this only counts down and chooses.
 */
import type { StatusView } from '../../preload/contract.js';
import { STATE_LABELS } from '../../wire/presence/manual-states.js';

type Connection = StatusView['connection'];

/** Whether requests can reach the KW: registered, on the way (first attempt), or not. */
export type Reachability = 'reachable' | 'connecting' | 'unreachable';

export function reachability(connection: Connection): Reachability {
  if (connection.phase === 'registered') return 'reachable';
  if (connection.problem) return 'unreachable';
  return connection.phase === 'connecting' || connection.phase === 'registering'
    ? 'connecting'
    : 'unreachable';
}

/** "in 12 s", "in 5 min", "now": when the next attempt is. */
export function retryCountdown(retryAt: number, now: number): string {
  const seconds = Math.ceil((retryAt - now) / 1000);
  if (seconds <= 0) return 'now';
  // A no-break space: the unit never wraps away from its number.
  if (seconds < 90) return `in ${seconds}\u00a0s`;
  return `in ${Math.round(seconds / 60)}\u00a0min`;
}

/** The status panel's line: "Not connected — retrying in 4 s", "Registered with wss://…". */
export function connectionStatusLine(connection: Connection, now: number): string {
  if (!connection.problem) return connection.text;
  if (connection.phase === 'retrying' && connection.retryAt !== undefined) {
    const when = retryCountdown(connection.retryAt, now);
    return `${connection.text} — retrying ${when}${when === 'now' ? '…' : ''}`;
  }
  return `${connection.text} — retrying now…`;
}

/** The banner's second line: when KW Desktop tries again, and what else brings it back. */
export function bannerRetryLine(connection: Connection, now: number): string {
  const needsSettings =
    connection.problem?.kind === 'credentials' || connection.problem?.kind === 'unknown-account';
  if (connection.phase !== 'retrying' || connection.retryAt === undefined) return 'Trying again now…';
  const when = retryCountdown(connection.retryAt, now);
  if (when === 'now') return 'Trying again now…';
  return needsSettings ? `Trying again ${when}, or when you save Settings.` : `Trying again ${when}.`;
}

/** The presence control's note while the KW cannot be reached, or null when it can. */
export function presenceReachNote(connection: Connection): string | null {
  switch (reachability(connection)) {
    case 'reachable':
      return null;
    case 'connecting':
      return 'connecting…';
    case 'unreachable':
      return 'Not reachable — not connected';
  }
}

/**
 * The empty screen's advice: what stands between the KW and requests now.
 * Never "set Available" to a KW who is Available.
 */
export function emptyStateText(status: StatusView | null): string {
  if (!status) return 'Choose a conversation on the left.';
  if (status.routable.routable)
    return 'You are receiving expert requests. When you accept one, the conversation opens here.';
  const reach = reachability(status.connection);
  if (reach === 'unreachable')
    return 'KW Desktop is not connected, so requests cannot reach you. The message above says why.';
  if (reach === 'connecting') return 'KW Desktop is connecting. Requests can reach you once it is connected.';
  const { manual, effective } = status.presence;
  if (manual !== 'available')
    return `You are set to ${STATE_LABELS[manual]}. Set your presence to Available to receive expert requests.`;
  if (effective === 'on-the-phone') return 'You are in a call. Requests reach you again when it ends.';
  if (effective !== 'available')
    return `You are shown as ${STATE_LABELS[effective]} for now. Requests reach you again when you are back.`;
  return 'Your presence is being published. Requests can reach you in a moment.';
}
