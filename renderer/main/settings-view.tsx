/** Settings: account, servers in failover order, behaviour. Errors from main show under their field. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SettingsView } from '../../preload/contract.js';
import { BackIcon, DownIcon, PlusIcon, TrashIcon, UpIcon } from '../shared/components/icons.js';
import { bridge, errorText } from '../shared/kw.js';
import {
  fieldErrorFromMessage,
  formFromSettings,
  inputFromForm,
  move,
  type FieldErrors,
  type SettingsForm,
} from '../shared/model.js';
import { view } from '../shared/store.js';

const MAX_SERVERS = 5;

function FieldError(props: { id: string; error: string | undefined }): JSX.Element | null {
  if (!props.error) return null;
  return (
    <p id={props.id} class="field-error" data-testid={`error-${props.id.replace(/^err-/, '')}`}>
      {props.error}
    </p>
  );
}

function TextField(props: {
  name: keyof SettingsForm;
  label: string;
  hint?: string;
  type?: string;
  value: string;
  placeholder?: string;
  disabled?: boolean;
  autoComplete?: string;
  errors: FieldErrors;
  onInput: (value: string) => void;
}): JSX.Element {
  const id = `f-${props.name}`;
  const error = props.errors[props.name];
  const described = [props.hint ? `${id}-hint` : '', error ? `err-${props.name}` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        disabled={props.disabled}
        autoComplete={props.autoComplete ?? 'off'}
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.hint && (
        <p id={`${id}-hint`} class="field-hint">
          {props.hint}
        </p>
      )}
      <FieldError id={`err-${props.name}`} error={error} />
    </div>
  );
}

function Check(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  hint?: string;
}) {
  return (
    <div class="check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <p id={`${props.id}-hint`} class="field-hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function SettingsPage(): JSX.Element {
  const [loaded, setLoaded] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    bridge()
      ?.settings.get({})
      .then((s) => {
        setLoaded(s);
        setForm(formFromSettings(s));
      })
      .catch((err: unknown) => setFormError(`Could not load the settings: ${errorText(err)}`));
  }, []);

  const update = (patch: Partial<SettingsForm>) => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setSaved(false);
  };

  const save = () => {
    const kw = bridge();
    if (!form || !kw) return;
    setFormError(null);
    setSaved(false);
    const checked = inputFromForm(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setSaving(true);
    kw.settings.save(checked.input).then(
      (s) => {
        setSaving(false);
        setLoaded(s);
        setForm(formFromSettings(s));
        setSaved(true);
      },
      (err: unknown) => {
        setSaving(false);
        const { field, message } = fieldErrorFromMessage(errorText(err));
        if (field) {
          setErrors({ [field]: message });
          document.getElementById(`f-${field}`)?.focus();
        } else setFormError(`Not saved: ${message}`);
      },
    );
  };

  return (
    <section class="settings" data-testid="settings" aria-labelledby="h-settings">
      <header class="page-head">
        <button
          type="button"
          class="btn btn-icon"
          aria-label="Back to conversations"
          onClick={() => {
            view.value = 'chat';
          }}
        >
          <BackIcon />
        </button>
        <h1 id="h-settings">Settings</h1>
      </header>
      {!form ? (
        <div class="settings-scroll">
          {formError ? (
            <p class="inline-error" role="alert">
              {formError}
            </p>
          ) : (
            <p class="muted">Loading…</p>
          )}
        </div>
      ) : (
        <form
          class="settings-scroll"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <fieldset>
            <legend>Account</legend>
            <TextField
              name="uri"
              label="SIP address"
              placeholder="sip:jane.doe@example.com"
              value={form.uri}
              errors={errors}
              onInput={(uri) => update({ uri })}
            />
            <TextField
              name="authUser"
              label="Authentication user"
              hint="Leave empty to use the user part of the SIP address."
              value={form.authUser}
              errors={errors}
              onInput={(authUser) => update({ authUser })}
            />
            <TextField
              name="password"
              type="password"
              label="Password"
              autoComplete="new-password"
              placeholder={loaded?.account.hasPassword ? 'Stored — leave empty to keep it' : 'Not set'}
              disabled={form.forgetPassword}
              value={form.password}
              errors={errors}
              onInput={(password) => update({ password })}
            />
            {loaded?.account.hasPassword && (
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
              errors={errors}
              onInput={(displayName) => update({ displayName })}
            />
          </fieldset>

          <fieldset>
            <legend>Servers</legend>
            <p class="field-hint" id="servers-hint">
              WebSocket addresses (ws:// or wss://), tried in this order: the next one is used when one fails.
            </p>
            <ol class="servers">
              {form.servers.map((server, i) => {
                const key = `servers.${i}`;
                const error = errors[key];
                return (
                  <li key={i} class={`server${error ? ' has-error' : ''}`}>
                    <span class="server-n" aria-hidden="true">
                      {i + 1}
                    </span>
                    <input
                      id={`f-${key}`}
                      type="text"
                      spellcheck={false}
                      aria-label={`Server ${i + 1}`}
                      aria-describedby={error ? `err-${key}` : 'servers-hint'}
                      aria-invalid={error ? 'true' : undefined}
                      placeholder="wss://sip.example.com:7443"
                      value={server}
                      onInput={(e) => {
                        const servers = [...form.servers];
                        servers[i] = e.currentTarget.value;
                        update({ servers });
                      }}
                    />
                    <button
                      type="button"
                      class="btn btn-icon"
                      aria-label={`Move server ${i + 1} up`}
                      disabled={i === 0}
                      onClick={() => update({ servers: move(form.servers, i, -1) })}
                    >
                      <UpIcon />
                    </button>
                    <button
                      type="button"
                      class="btn btn-icon"
                      aria-label={`Move server ${i + 1} down`}
                      disabled={i === form.servers.length - 1}
                      onClick={() => update({ servers: move(form.servers, i, 1) })}
                    >
                      <DownIcon />
                    </button>
                    <button
                      type="button"
                      class="btn btn-icon"
                      aria-label={`Remove server ${i + 1}`}
                      disabled={form.servers.length === 1}
                      onClick={() => update({ servers: form.servers.filter((_, j) => j !== i) })}
                    >
                      <TrashIcon />
                    </button>
                    <FieldError id={`err-${key}`} error={error} />
                  </li>
                );
              })}
            </ol>
            <FieldError id="err-servers" error={errors.servers} />
            <button
              type="button"
              class="btn btn-small"
              disabled={form.servers.length >= MAX_SERVERS}
              onClick={() => update({ servers: [...form.servers, ''] })}
            >
              <PlusIcon /> Add server
            </button>
          </fieldset>

          <fieldset>
            <legend>Behaviour</legend>
            <TextField
              name="idleMinutes"
              type="number"
              label="Away after idle (minutes)"
              hint="Your presence turns Away after this many minutes without input. 0 = never."
              value={form.idleMinutes}
              errors={errors}
              onInput={(idleMinutes) => update({ idleMinutes })}
            />
            <Check
              id="f-startAtLogin"
              label="Start at login"
              checked={form.startAtLogin}
              onChange={(startAtLogin) => update({ startAtLogin })}
            />
            <Check
              id="f-sounds"
              label="Play a sound for new requests"
              checked={form.sounds}
              onChange={(sounds) => update({ sounds })}
            />
          </fieldset>

          <div class="settings-actions">
            <button type="submit" class="btn btn-primary" data-testid="settings-save" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
            <button
              type="button"
              class="btn"
              disabled={saving || !loaded}
              onClick={() => {
                if (loaded) setForm(formFromSettings(loaded));
                setErrors({});
                setFormError(null);
                setSaved(false);
              }}
            >
              Revert
            </button>
            <span class="save-status" role="status">
              {saved ? 'Saved.' : ''}
            </span>
            {formError && (
              <p class="inline-error" role="alert">
                {formError}
              </p>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
