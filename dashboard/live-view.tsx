/** The live view: routing points on the left, the numbers and the charts beside them. */
import type { JSX } from 'preact';
import { ChartsPanel } from './charts-panel.js';
import { CountersTable } from './counters-table.js';
import { RoutingPointCard } from './routing-point-card.js';
import { now, snapshot } from './store.js';

export function LiveView(): JSX.Element {
  const snap = snapshot.value;
  if (!snap) {
    return (
      <main class="live-empty">
        <p class="muted">Waiting for the router’s first snapshot…</p>
      </main>
    );
  }
  return (
    <main class="live">
      <div class="points" role="region" aria-label="Routing points">
        {snap.routingPoints.length === 0 && <p class="muted">The router has no routing points.</p>}
        {snap.routingPoints.map((point) => (
          <RoutingPointCard key={point.uri} point={point} now={now.value} />
        ))}
      </div>
      <CountersTable last15m={snap.last15m} today={snap.today} />
      <ChartsPanel snap={snap} />
    </main>
  );
}
