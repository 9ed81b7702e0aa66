/** Connection and "routable" status, with the reason when requests cannot reach the KW. */
import type { JSX } from 'preact';
import { now } from '../shared/clock.js';
import { NetText } from '../shared/components/net-text.js';
import { connectionLine, routableReason } from '../shared/format.js';
import { neutralizeBidi } from '../shared/net-text.js';
import { status } from '../shared/store.js';

export function StatusPanel(): JSX.Element | null {
  const s = status.value;
  if (!s) return null;
  const conn = connectionLine(s.connection, now.value);
  const routable = s.routable;
  return (
    <div class="status-panel">
      {/* Announced on change only: the visible lines count down every second. */}
      <p class="visually-hidden" aria-live="polite">
        {`${s.connection.phase === 'retrying' ? 'Connection lost, retrying' : neutralizeBidi(s.connection.text)}. ${
          routable.routable ? 'Receiving requests' : 'Not receiving requests'
        }.`}
      </p>
      <p
        class={`status-line tone-${conn.tone}`}
        data-testid="connection-status"
        data-phase={s.connection.phase}
      >
        <span class="status-dot" aria-hidden="true" />
        <span class="visually-hidden">Connection: </span>
        <NetText text={conn.text} fit="wrap" />
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
          <NetText text={routableReason(s, now.value)} fit="wrap" />
        </span>
      </p>
    </div>
  );
}
