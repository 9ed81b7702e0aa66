/**
 * The settings form's state: loads the settings from main, holds the edits
 * (the fields of the shared form model, and the trusted routing points),
 * checks them, saves them and shows main's refusal under the field it names.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SettingsView } from '../../../preload/contract.js';
import { errorText, kwApi } from '../../shared/kw.js';
import {
  fieldErrorFromMessage,
  formFromSettings,
  type FieldErrors,
  type SettingsForm,
} from '../../shared/model.js';
import { routingPointRefusal, settingsInput, withoutRoutingPointErrors } from './routing-points.js';

export interface SettingsFormState {
  /** The settings as main last gave them (what Revert goes back to). */
  readonly loaded: SettingsView | null;
  /** Null until the settings are loaded. */
  readonly form: SettingsForm | null;
  /** The trusted routing points being edited. */
  readonly routingPoints: readonly string[];
  readonly errors: FieldErrors;
  /** An error that belongs to no field: loading failed, or main refused for another reason. */
  readonly formError: string | null;
  readonly saving: boolean;
  readonly saved: boolean;
  readonly update: (patch: Partial<SettingsForm>) => void;
  readonly setRoutingPoints: (list: string[]) => void;
  readonly save: () => void;
  readonly revert: () => void;
}

export function useSettingsForm(): SettingsFormState {
  const [loaded, setLoaded] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [routingPoints, setPoints] = useState<readonly string[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const show = (s: SettingsView): void => {
    setLoaded(s);
    setForm(formFromSettings(s));
    setPoints([...s.trustedRoutingPoints]);
  };

  useEffect(() => {
    kwApi()
      ?.settings.get({})
      .then(show)
      .catch((err: unknown) => setFormError(`Could not load the settings: ${errorText(err)}`));
  }, []);

  const refused = (err: unknown): void => {
    const text = errorText(err);
    const { field, message } = routingPointRefusal(text) ?? fieldErrorFromMessage(text);
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
    const checked = settingsInput(form, routingPoints);
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

  const setRoutingPoints = (list: string[]): void => {
    setPoints(list);
    setSaved(false);
    // Row errors are by index: after an edit they may name another row.
    setErrors((e) => withoutRoutingPointErrors(e));
  };

  const revert = (): void => {
    if (loaded) show(loaded);
    setErrors({});
    setFormError(null);
    setSaved(false);
  };

  return {
    loaded,
    form,
    routingPoints,
    errors,
    formError,
    saving,
    saved,
    update,
    setRoutingPoints,
    save,
    revert,
  };
}
