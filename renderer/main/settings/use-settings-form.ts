/**
 * The settings form's state: loads the settings from main, holds the edits,
 * checks them, saves them and shows main's refusal under the field it names.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SettingsView } from '../../../preload/contract.js';
import { errorText, kwApi } from '../../shared/kw.js';
import {
  fieldErrorFromMessage,
  formFromSettings,
  inputFromForm,
  type FieldErrors,
  type SettingsForm,
} from '../../shared/model.js';

export interface SettingsFormState {
  /** The settings as main last gave them (what Revert goes back to). */
  readonly loaded: SettingsView | null;
  /** Null until the settings are loaded. */
  readonly form: SettingsForm | null;
  readonly errors: FieldErrors;
  /** An error that belongs to no field: loading failed, or main refused for another reason. */
  readonly formError: string | null;
  readonly saving: boolean;
  readonly saved: boolean;
  readonly update: (patch: Partial<SettingsForm>) => void;
  readonly save: () => void;
  readonly revert: () => void;
}

export function useSettingsForm(): SettingsFormState {
  const [loaded, setLoaded] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const show = (s: SettingsView): void => {
    setLoaded(s);
    setForm(formFromSettings(s));
  };

  useEffect(() => {
    kwApi()
      ?.settings.get({})
      .then(show)
      .catch((err: unknown) => setFormError(`Could not load the settings: ${errorText(err)}`));
  }, []);

  const refused = (err: unknown): void => {
    const { field, message } = fieldErrorFromMessage(errorText(err));
    if (field) {
      setErrors({ [field]: message });
      document.getElementById(`f-${field}`)?.focus();
    } else setFormError(`Not saved: ${message}`);
  };

  const save = (): void => {
    const kw = kwApi();
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
        show(s);
        setSaved(true);
      },
      (err: unknown) => {
        setSaving(false);
        refused(err);
      },
    );
  };

  const update = (patch: Partial<SettingsForm>): void => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setSaved(false);
  };

  const revert = (): void => {
    if (loaded) setForm(formFromSettings(loaded));
    setErrors({});
    setFormError(null);
    setSaved(false);
  };

  return { loaded, form, errors, formError, saving, saved, update, save, revert };
}
