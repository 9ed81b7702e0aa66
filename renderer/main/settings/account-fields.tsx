/** Settings › Account: SIP address, authentication user, password, display name. */
import type { JSX } from 'preact';
import type { FieldErrors, SettingsForm } from '../../shared/model.js';
import { Check, TextField } from './fields.js';

export function AccountFields(props: {
  form: SettingsForm;
  /** Main keeps a password: the field may stay empty, and a box offers to forget it. */
  hasPassword: boolean;
  errors: FieldErrors;
  update: (patch: Partial<SettingsForm>) => void;
  /** Setting paths enforced by the organization (`account.uri`…). */
  locked: ReadonlySet<string>;
}): JSX.Element {
  const { form, errors, update, locked } = props;
  return (
    <fieldset>
      <legend>Account</legend>
      <TextField
        name="uri"
        label="SIP address"
        placeholder="sip:jane.doe@example.com"
        value={form.uri}
        locked={locked.has('account.uri')}
        errors={errors}
        onInput={(uri) => update({ uri })}
      />
      <TextField
        name="authUser"
        label="Authentication user"
        hint="Leave empty to use the user part of the SIP address."
        value={form.authUser}
        locked={locked.has('account.authUser')}
        errors={errors}
        onInput={(authUser) => update({ authUser })}
      />
      <TextField
        name="password"
        type="password"
        label="Password"
        autoComplete="new-password"
        placeholder={props.hasPassword ? 'Stored — leave empty to keep it' : 'Not set'}
        disabled={form.forgetPassword}
        value={form.password}
        errors={errors}
        onInput={(password) => update({ password })}
      />
      {props.hasPassword && (
        <Check
          id="f-forgetPassword"
          label="Forget the stored password"
          checked={form.forgetPassword}
          onChange={(forgetPassword) => update({ forgetPassword, password: '' })}
        />
      )}
      <TextField
        name="displayName"
        label="Display name"
        hint="Shown to agents."
        value={form.displayName}
        locked={locked.has('account.displayName')}
        errors={errors}
        onInput={(displayName) => update({ displayName })}
      />
    </fieldset>
  );
}
