/** The settings form's fields: a text field with hint and error, a checkbox, an error line, the policy's note. */
import type { JSX } from 'preact';
import type { FieldErrors, SettingsForm } from '../../shared/model.js';

/** An error from main or the form check, under its field (`id` is what the field's aria-describedby names). */
export function FieldError(props: { id: string; error: string | undefined }): JSX.Element | null {
  if (!props.error) return null;
  return (
    <p id={props.id} class="field-error" data-testid={`error-${props.id.replace(/^err-/, '')}`}>
      {props.error}
    </p>
  );
}

/** What a field enforced by the organization's policy says (the field is disabled). */
export const LOCKED_NOTE = 'Set by your organization.';

export function LockedNote(props: { id: string }): JSX.Element {
  return (
    <p id={props.id} class="field-hint locked-note" data-testid={props.id}>
      {LOCKED_NOTE}
    </p>
  );
}

export function TextField(props: {
  name: keyof SettingsForm;
  label: string;
  hint?: string;
  type?: string;
  value: string;
  placeholder?: string;
  disabled?: boolean;
  /** Enforced by the organization: disabled, with a note saying so. */
  locked?: boolean;
  autoComplete?: string;
  errors: FieldErrors;
  onInput: (value: string) => void;
}): JSX.Element {
  const id = `f-${props.name}`;
  const error = props.errors[props.name];
  const described = [
    props.locked ? `${id}-locked` : '',
    props.hint ? `${id}-hint` : '',
    error ? `err-${props.name}` : '',
  ]
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
        disabled={props.disabled === true || props.locked === true}
        autoComplete={props.autoComplete ?? 'off'}
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.locked && <LockedNote id={`${id}-locked`} />}
      {props.hint && (
        <p id={`${id}-hint`} class="field-hint">
          {props.hint}
        </p>
      )}
      <FieldError id={`err-${props.name}`} error={error} />
    </div>
  );
}

export function Check(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  hint?: string;
  /** Enforced by the organization: disabled, with a note saying so. */
  locked?: boolean;
}): JSX.Element {
  const described = [props.locked ? `${props.id}-locked` : '', props.hint ? `${props.id}-hint` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        disabled={props.locked === true}
        aria-describedby={described || undefined}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <label for={props.id}>{props.label}</label>
      {props.locked && <LockedNote id={`${props.id}-locked`} />}
      {props.hint && (
        <p id={`${props.id}-hint`} class="field-hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}
