/** Settings › Behaviour: idle time before Away, start at login, sounds, global shortcuts. */
import type { JSX } from 'preact';
import type { FieldErrors, SettingsForm } from '../../shared/model.js';
import { Check, TextField } from './fields.js';

const SHORTCUTS_HINT =
  'The shortcuts answer the oldest waiting request, even when KW Desktop is in the background.';

export function BehaviourFields(props: {
  form: SettingsForm;
  errors: FieldErrors;
  update: (patch: Partial<SettingsForm>) => void;
  /** Setting paths enforced by the organization. */
  locked: ReadonlySet<string>;
  /** Why a shortcut could not be registered (main says), shown under them. */
  shortcutsProblem?: string | undefined;
}): JSX.Element {
  const { form, update, locked } = props;
  // One policy key sets both the switch and the keys: the note goes under the switch only.
  const shortcutsLocked = locked.has('globalShortcuts');
  return (
    <fieldset>
      <legend>Behaviour</legend>
      <TextField
        name="idleMinutes"
        type="number"
        label="Away after idle (minutes)"
        hint="Your presence turns Away after this many minutes without input. 0 = never."
        value={form.idleMinutes}
        locked={locked.has('idleMinutes')}
        errors={props.errors}
        onInput={(idleMinutes) => update({ idleMinutes })}
      />
      <Check
        id="f-startAtLogin"
        label="Start at login"
        checked={form.startAtLogin}
        locked={locked.has('startAtLogin')}
        onChange={(startAtLogin) => update({ startAtLogin })}
      />
      <Check
        id="f-sounds"
        label="Play a sound for new requests"
        checked={form.sounds}
        locked={locked.has('sounds')}
        onChange={(sounds) => update({ sounds })}
      />
      <Check
        id="f-shortcutsOn"
        label="Accept or decline requests from any app with a shortcut"
        hint={`${shortcutsLocked ? '' : 'Off by default. '}${SHORTCUTS_HINT}`}
        checked={form.shortcutsOn}
        locked={shortcutsLocked}
        onChange={(shortcutsOn) => update({ shortcutsOn })}
      />
      {form.shortcutsOn && (
        <div class="shortcut-fields">
          <TextField
            name="acceptKey"
            label="Accept"
            {...(shortcutsLocked ? {} : { hint: 'Modifiers and a key, like CommandOrControl+Alt+A.' })}
            value={form.acceptKey}
            disabled={shortcutsLocked}
            errors={props.errors}
            onInput={(acceptKey) => update({ acceptKey })}
          />
          <TextField
            name="declineKey"
            label="Decline"
            value={form.declineKey}
            disabled={shortcutsLocked}
            errors={props.errors}
            onInput={(declineKey) => update({ declineKey })}
          />
          {props.shortcutsProblem && (
            <p class="inline-error" role="status" data-testid="shortcuts-problem">
              {props.shortcutsProblem}
            </p>
          )}
        </div>
      )}
    </fieldset>
  );
}
