/**
 * The sign-in screen's state: the settings main has (a policy may have filled
 * in and locked some), the fields being typed, their errors, and the save
 * that signs in. Main's refusal shows under the field it names.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SettingsView } from '../../../preload/contract.js';
import { errorText, kwApi } from '../../shared/kw.js';
import { fieldErrorFromMessage, type FieldErrors } from '../../shared/model.js';
import { signInFormFrom, signInInput, type SignInForm } from './sign-in-form.js';

export interface SignInState {
  readonly loaded: SettingsView | null;
  readonly form: SignInForm | null;
  readonly errors: FieldErrors;
  /** An error that belongs to no field, in a sentence. */
  readonly formError: string | null;
  readonly busy: boolean;
  readonly update: (patch: Partial<SignInForm>) => void;
  readonly submit: () => void;
}

export function useSignIn(): SignInState {
  const [loaded, setLoaded] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<SignInForm | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    kwApi()
      ?.settings.get({})
      .then((s) => {
        setLoaded(s);
        setForm(signInFormFrom(s));
      })
      .catch((err: unknown) => setFormError(`Could not load the settings: ${errorText(err)}`));
  }, []);

  const focusFirst = (found: FieldErrors): void => {
    const first = ['servers.0', 'servers.1', 'servers.2', 'servers.3', 'servers.4', 'uri', 'password'].find(
      (k) => found[k],
    );
    if (first) document.getElementById(`f-${first}`)?.focus();
  };

  const submit = (): void => {
    const kw = kwApi();
    if (!form || !loaded || !kw || busy) return;
    setFormError(null);
    const checked = signInInput(form, loaded);
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirst(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    // On success main's status says signed in, and the app replaces this screen.
    kw.settings.save(checked.input).then(
      () => setBusy(false),
      (err: unknown) => {
        setBusy(false);
        const { field, message } = fieldErrorFromMessage(errorText(err));
        if (field) {
          setErrors({ [field]: message });
          focusFirst({ [field]: message });
        } else setFormError(`Not signed in: ${message}`);
      },
    );
  };

  const update = (patch: Partial<SignInForm>): void => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    // An edited field's error is stale.
    const edited = Object.keys(patch);
    const stale = (key: string): boolean => edited.some((f) => key === f || key.startsWith(`${f}.`));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([key]) => !stale(key))));
  };

  return { loaded, form, errors, formError, busy, update, submit };
}
