/** The connection/registration state the UI shows, and its one-line description for logs. */

/**
 * Why the agent is not registered. `detail` is the technical reason (for the
 * log and a "details" disclosure), never what a person reads first: the app
 * turns `kind` into a sentence (outcome-text.ts).
 */
export type ConnectionProblem =
  /** No server in the list accepted a WebSocket connection. */
  | { readonly kind: 'unreachable'; readonly detail: string }
  /** A server answered, but its TLS certificate was refused (untrusted CA, wrong name, expired). */
  | { readonly kind: 'certificate'; readonly detail: string }
  /** Connected, then the connection dropped. */
  | { readonly kind: 'lost'; readonly detail: string }
  /** REGISTER refused for the credentials (401/407 after our answer, 403). */
  | { readonly kind: 'credentials'; readonly status?: number; readonly detail: string }
  /** REGISTER refused for the address of record (404). */
  | { readonly kind: 'unknown-account'; readonly status: 404; readonly detail: string }
  /** Any other REGISTER failure (5xx, timeout…). */
  | { readonly kind: 'registration'; readonly status?: number; readonly detail: string };

export type ConnectionProblemKind = ConnectionProblem['kind'];

export type ConnectionState =
  | { readonly phase: 'stopped' }
  /** `problem`: the last attempt failed and this is the next one (the KW is still not reachable). */
  | { readonly phase: 'connecting'; readonly server: string; readonly problem?: ConnectionProblem }
  | { readonly phase: 'registering'; readonly server: string; readonly problem?: ConnectionProblem }
  | { readonly phase: 'registered'; readonly server: string; readonly since: number }
  | {
      readonly phase: 'retrying';
      readonly retryAt: number;
      /** `problem.detail` with context, for logs and the router's health. */
      readonly reason: string;
      readonly problem: ConnectionProblem;
    }
  | { readonly phase: 'stopping' };

/** The problem the state carries, if any: while it is set the KW cannot be reached. */
export function problemOf(state: ConnectionState): ConnectionProblem | undefined {
  switch (state.phase) {
    case 'connecting':
    case 'registering':
    case 'retrying':
      return state.problem;
    default:
      return undefined;
  }
}

export function describeConnectionState(state: ConnectionState, now: number = Date.now()): string {
  switch (state.phase) {
    case 'stopped':
      return 'not connected';
    case 'connecting':
      return `connecting to ${state.server}`;
    case 'registering':
      return `registering with ${state.server}`;
    case 'registered':
      return `registered with ${state.server}`;
    case 'retrying': {
      const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      return `retrying in ${seconds} s because ${state.reason}`;
    }
    case 'stopping':
      return 'signing out';
  }
}

const CREDENTIAL_STATUSES = new Set([401, 403, 407]);
const CREDENTIAL_CAUSES = new Set(['Authentication Error', 'Rejected']);

function credentialsRefused(status: number | undefined, cause: string | undefined): boolean {
  return (status !== undefined && CREDENTIAL_STATUSES.has(status)) || CREDENTIAL_CAUSES.has(cause ?? '');
}

/** What a failed REGISTER means, from its final status and JsSIP's cause. */
export function registrationProblem(
  status: number | undefined,
  cause: string | undefined,
): ConnectionProblem {
  const detail = registrationFailureReason(status, cause);
  if (credentialsRefused(status, cause))
    return { kind: 'credentials', ...(status !== undefined ? { status } : {}), detail };
  if (status === 404) return { kind: 'unknown-account', status, detail };
  return { kind: 'registration', ...(status !== undefined ? { status } : {}), detail };
}

/** The technical reason of a REGISTER failure, for the log. */
export function registrationFailureReason(status: number | undefined, cause: string | undefined): string {
  if (credentialsRefused(status, cause)) {
    return `the server refused the credentials${status ? ` (${status})` : ''}: check user and password`;
  }
  if (status === 404) return 'the server does not know this SIP address (404)';
  if (status !== undefined) return `registration failed with ${status}${cause ? ` ${cause}` : ''}`;
  return `registration failed (${cause ?? 'unknown cause'})`;
}
