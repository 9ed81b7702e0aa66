/** One routing point: its members with routing state, reason, since when, load, offer, wrap-up; what waits. */
import type { JSX } from 'preact';
import type { RoutingPointView } from '../wire/dashboard.js';
import { plural } from './format.js';
import { stateChanges } from './store.js';
import { routingPointModel, type MemberRow, type WaitingRow } from './view-model.js';

function Member({ row }: { readonly row: MemberRow }): JSX.Element {
  return (
    <tr>
      <th scope="row" class="member-name">
        <span class="name">{row.name}</span>
        {row.name !== row.kw && <span class="kw">{row.kw}</span>}
      </th>
      <td>
        <span class={`state state-${row.state}`}>
          <span class="dot" aria-hidden="true" />
          {row.stateText}
        </span>
        {row.reason && <span class="reason">{row.reason}</span>}
        {row.flapping > 0 && (
          <span class="badge badge-flapping">
            Flapping ×{row.flapping}
            <span class="sr-only"> ({row.flapping} state changes in the last 5 minutes)</span>
          </span>
        )}
      </td>
      <td class="since">{row.since}</td>
      <td class={`num${row.atCapacity ? ' at-capacity' : ''}`}>{row.load}</td>
      <td>{row.offered ? <span class="badge badge-offered">Offered</span> : ''}</td>
      <td class="wrap-up">{row.wrapUp}</td>
    </tr>
  );
}

function Waiting({ row }: { readonly row: WaitingRow }): JSX.Element {
  return (
    <li class={`waiting-item${row.long ? ' is-long' : ''}`}>
      <span class="waits">{row.waits}</span>
      <span class="waiting-text">
        <span class="subject">{row.subject}</span>
        <span class="muted"> from {row.agent}</span>
      </span>
      <span class="offered-to">{row.offeredTo ? `offered to ${row.offeredTo}` : 'waiting for a KW'}</span>
    </li>
  );
}

export function RoutingPointCard({
  point,
  now,
}: {
  readonly point: RoutingPointView;
  readonly now: number;
}): JSX.Element {
  const model = routingPointModel(point, now, (kw) => stateChanges.flapping(point.uri, kw, now));
  const headingId = `rp-${encodeURIComponent(model.uri)}`;
  return (
    <section class="card point" aria-labelledby={headingId}>
      <header class="point-head">
        <h2 id={headingId}>{model.name}</h2>
        <p class="point-meta">
          <span class="ready-count">
            {model.ready} of {plural(model.members.length, 'KW', 'KWs')} Ready
          </span>
          <span class="muted"> · {plural(model.waiting.length, 'waiting', 'waiting')}</span>
          <span class="muted"> · strategy {model.strategy}</span>
        </p>
        <p class="point-uri muted">{model.uri}</p>
      </header>
      {model.members.length === 0 ? (
        <p class="muted">No members.</p>
      ) : (
        <table class="members">
          <caption class="sr-only">Members of {model.name}</caption>
          <thead>
            <tr>
              <th scope="col">KW</th>
              <th scope="col">State</th>
              <th scope="col">Since</th>
              <th scope="col" class="num">
                Chats
              </th>
              <th scope="col">Offer</th>
              <th scope="col">Wrap-up</th>
            </tr>
          </thead>
          <tbody>
            {model.members.map((row) => (
              <Member key={row.kw} row={row} />
            ))}
          </tbody>
        </table>
      )}
      <h3 class="waiting-title">Waiting</h3>
      {model.waiting.length === 0 ? (
        <p class="muted">Nothing waits.</p>
      ) : (
        <ul class="waiting">
          {model.waiting.map((row) => (
            <Waiting key={row.id} row={row} />
          ))}
        </ul>
      )}
    </section>
  );
}
