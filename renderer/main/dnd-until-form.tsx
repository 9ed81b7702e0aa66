/** "Do not disturb until…": a time of day (today, or tomorrow when it has passed), Set or Cancel. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { nextTimeOfDay, untilText } from '../../wire/presence/timed-dnd.js';

export function DndUntilForm(props: { onSet: (at: Date) => void; onCancel: () => void }): JSX.Element {
  const [time, setTime] = useState('');
  const at = nextTimeOfDay(time, new Date());
  return (
    <form
      class="dnd-until"
      data-testid="dnd-until"
      onSubmit={(e) => {
        e.preventDefault();
        if (at) props.onSet(at);
      }}
    >
      <label for="dnd-until-time">Do not disturb until</label>
      <input
        id="dnd-until-time"
        type="time"
        value={time}
        required
        aria-describedby="dnd-until-hint"
        onInput={(e) => setTime(e.currentTarget.value)}
      />
      <p id="dnd-until-hint" class="presence-note">
        {at ? `Do not disturb ${untilText(at, new Date())}.` : 'Pick a time of day.'}
      </p>
      <div class="dnd-until-actions">
        <button type="submit" class="btn btn-small btn-primary" disabled={!at}>
          Set
        </button>
        <button type="button" class="btn btn-small" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
