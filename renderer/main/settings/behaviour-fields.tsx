/** Settings › Behaviour: idle time before Away, start at login, sounds. */
import type { JSX } from 'preact';
import type { FieldErrors, SettingsForm } from '../../shared/model.js';
import { Check, TextField } from './fields.js';

export function BehaviourFields(props: {
  form: SettingsForm;
  errors: FieldErrors;
  update: (patch: Partial<SettingsForm>) => void;
  /** Setting paths enforced by the organization. */
  locked: ReadonlySet<string>;
}): JSX.Element {
  const { form, update, locked } = props;
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
    </fieldset>
  );
}
