/** The connection/registration state the UI shows, and its one-line description. */
export type ConnectionState =
  | { readonly phase: 'stopped' }
  | { readonly phase: 'connecting'; readonly server: string }
  | { readonly phase: 'registering'; readonly server: string }
  | { readonly phase: 'registered'; readonly server: string; readonly since: number }
  | { readonly phase: 'retrying'; readonly retryAt: number; readonly reason: string }
  | { readonly phase: 'stopping' };

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

/** A reason a person can act on, from a SIP failure status or JsSIP cause. */
export function registrationFailureReason(status: number | undefined, cause: string | undefined): string {
  if (
    status === 401 ||
    status === 407 ||
    status === 403 ||
    cause === 'Authentication Error' ||
    cause === 'Rejected'
  ) {
    return `the server refused the credentials${status ? ` (${status})` : ''}: check user and password`;
  }
  if (status === 404) return 'the server does not know this SIP address (404)';
  if (status !== undefined) return `registration failed with ${status}${cause ? ` ${cause}` : ''}`;
  return `registration failed (${cause ?? 'unknown cause'})`;
}
