/**
 * Connection and "routable" status, with the reason when requests cannot
 * reach the KW. Words only: the technical detail of a connection problem is
 * the line's tooltip (and in the banner's disclosure), never its text.
 */
import type { JSX } from 'preact';
import type { StatusView } from '../../preload/contract.js';
import { now } from '../shared/clock.js';
import { NetText } from '../shared/components/net-text.js';
import type { Tone } from '../shared/format.js';
import { neutralizeBidi } from '../shared/net-text.js';
import { status } from '../shared/store.js';
import { connectionStatusLine, reachability } from './connection-text.js';

function toneOf(connection: StatusView['connection']): Tone {
  switch (reachability(connection)) {
    case 'reachable':
      return 'ok';
    case 'connecting':
      return 'busy';
    case 'unreachable':
      return connection.phase === 'stopped' || connection.phase === 'stopping' ? 'off' : 'warn';
  }
}

export function StatusPanel(): JSX.Element | null {
  const s = status.value;
  if (!s) return null;
  const { connection, routable } = s;
  const detail = connection.problem?.detail;
  return (
    <div class="status-panel">
      {/* Announced on change only (the connection itself is announced by the banner). */}
      <p class="visually-hidden" aria-live="polite">
        {routable.routable ? 'Receiving requests.' : 'Not receiving requests.'}
      </p>
      <p
        class={`status-line tone-${toneOf(connection)}`}
        data-testid="connection-status"
        data-phase={connection.phase}
        title={detail !== undefined ? neutralizeBidi(detail) : undefined}
      >
        <span class="status-dot" aria-hidden="true" />
        <span class="visually-hidden">Connection: </span>
        <NetText text={connectionStatusLine(connection, now.value)} fit="wrap" />
      </p>
      <p
        class={`status-line tone-${routable.routable ? 'ok' : 'warn'}`}
        data-testid="routable-status"
        data-routable={String(routable.routable)}
      >
        <span class="status-dot" aria-hidden="true" />
        <span>
          <strong>{routable.routable ? 'Receiving requests' : 'Not receiving requests'}</strong>
          {' — '}
          <NetText text={routable.explanation} fit="wrap" />
        </span>
      </p>
    </div>
  );
}
