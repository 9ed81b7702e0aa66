/**
 * The presence selector: the six manual states; shows the effective state
 * (e.g. "In a call"), and that nobody can reach the KW while it is not
 * connected (a struck grey dot and a note), whatever state was chosen.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { isManualState, MANUAL_STATES, STATE_LABELS } from '../../wire/presence/manual-states.js';
import { DND_DURATIONS, untilText } from '../../wire/presence/timed-dnd.js';
import { DndUntilForm } from './dnd-until-form.js';
import { errorText, kwApi } from '../shared/kw.js';
import { status } from '../shared/store.js';
import { presenceReachNote, reachability } from './connection-text.js';

export function PresenceSelect(): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [askUntil, setAskUntil] = useState(false);
  const s = status.value;
  const effective = s?.presence.effective ?? 'offline';
  const manual = s?.presence.manual ?? 'offline';
  const automatic = effective !== manual;
  const reachNote = s ? presenceReachNote(s.connection) : null;
  const until =
    s?.presence.until !== undefined && effective === 'dnd' ? new Date(s.presence.until) : undefined;
  const describedBy = [
    automatic ? 'presence-note' : '',
    reachNote ? 'presence-reach' : '',
    until ? 'presence-until' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const send = (input: { state: 'dnd'; until: string } | { state: (typeof MANUAL_STATES)[number] }) => {
    const kw = kwApi();
    if (!kw) return;
    setPending(true);
    setError(null);
    kw.presence
      .set(input)
      .catch((err: unknown) => setError(`Could not change presence: ${errorText(err)}`))
      .finally(() => setPending(false));
  };
  const onChange = (value: string) => {
    setAskUntil(value === 'dnd-until');
    const minutes = /^dnd-(\d+)$/.exec(value)?.[1];
    if (minutes) send({ state: 'dnd', until: new Date(Date.now() + Number(minutes) * 60_000).toISOString() });
    else if (isManualState(value)) send({ state: value });
  };
  return (
    <div class="presence">
      <span
        class={`presence-dot dot-${effective}${reachNote ? ' is-unreachable' : ''}`}
        data-testid="presence-dot"
        aria-hidden="true"
      />
      <label class="visually-hidden" for="presence-select">
        Presence
      </label>
      <select
        id="presence-select"
        data-testid="presence-select"
        class="presence-select"
        value={effective}
        disabled={!s || pending}
        aria-describedby={describedBy || undefined}
        onChange={(e) => onChange(e.currentTarget.value)}
      >
        {!isManualState(effective) && (
          <option value={effective} disabled hidden>
            {STATE_LABELS[effective]}
          </option>
        )}
        {MANUAL_STATES.map((state) => (
          <option key={state} value={state}>
            {STATE_LABELS[state]}
          </option>
        ))}
        <optgroup label="Do not disturb for a while">
          {DND_DURATIONS.map((d) => (
            <option key={d.minutes} value={`dnd-${d.minutes}`}>
              Do not disturb {d.label}
            </option>
          ))}
          <option value="dnd-until">Do not disturb until…</option>
        </optgroup>
      </select>
      {until && (
        <span id="presence-until" class="presence-note" data-testid="presence-until">
          {untilText(until, new Date())}, then {STATE_LABELS[s?.presence.returnTo ?? 'available']}
        </span>
      )}
      {askUntil && (
        <DndUntilForm
          onSet={(at) => {
            setAskUntil(false);
            send({ state: 'dnd', until: at.toISOString() });
          }}
          onCancel={() => setAskUntil(false)}
        />
      )}
      {reachNote && (
        <span
          id="presence-reach"
          class={`presence-note presence-reach is-${s ? reachability(s.connection) : 'connecting'}`}
          data-testid="presence-reach"
        >
          {reachNote}
        </span>
      )}
      {automatic && (
        <span id="presence-note" class="presence-note">
          automatic · you chose {STATE_LABELS[manual]}
        </span>
      )}
      {s && !s.presence.published && s.connection.phase === 'registered' && (
        <span class="presence-note">publishing…</span>
      )}
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
