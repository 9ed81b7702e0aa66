/** The settings form's foot: Save, Revert, "Saved.", and an error that belongs to no field. */
import type { JSX } from 'preact';
import type { SettingsFormState } from './use-settings-form.js';

export function SettingsActions(props: { state: SettingsFormState }): JSX.Element {
  const { saving, loaded, saved, formError, revert } = props.state;
  return (
    <div class="settings-actions">
      <button type="submit" class="btn btn-primary" data-testid="settings-save" disabled={saving}>
        {saving ? 'Saving…' : 'Save'}
      </button>
      <button type="button" class="btn" disabled={saving || !loaded} onClick={revert}>
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
  );
}
