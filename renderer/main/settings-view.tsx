/** Settings: account, servers in failover order, trusted routing points, behaviour. Errors from main show under their field. */
import type { JSX } from 'preact';
import type { SettingsForm } from '../shared/model.js';
import { AccountFields } from './settings/account-fields.js';
import { BehaviourFields } from './settings/behaviour-fields.js';
import { HistoryExportFields } from './settings/history-export-fields.js';
import { RoutingPointFields } from './settings/routing-point-fields.js';
import { ServerFields } from './settings/server-fields.js';
import { SettingsActions } from './settings/settings-actions.js';
import { useSettingsForm, type SettingsFormState } from './settings/use-settings-form.js';
import { PageHead } from './page-head.js';

export function SettingsPage(): JSX.Element {
  const state = useSettingsForm();
  return (
    <section class="settings" data-testid="settings" aria-labelledby="h-settings">
      <PageHead id="h-settings" title="Settings" />
      {state.form ? (
        <SettingsFormView state={state} form={state.form} />
      ) : (
        <NotLoaded error={state.formError} />
      )}
    </section>
  );
}

/** Before the settings arrive: "Loading…", or why they did not. */
function NotLoaded(props: { error: string | null }): JSX.Element {
  return (
    <div class="settings-scroll">
      {props.error ? (
        <p class="inline-error" role="alert">
          {props.error}
        </p>
      ) : (
        <p class="muted">Loading…</p>
      )}
    </div>
  );
}

function SettingsFormView(props: { state: SettingsFormState; form: SettingsForm }): JSX.Element {
  const { state, form } = props;
  const { errors, update } = state;
  // Enforced by the organization's policy: shown disabled, with a note.
  const locked = new Set(state.loaded?.locked ?? []);
  return (
    <form
      class="settings-scroll"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        state.save();
      }}
    >
      <AccountFields
        form={form}
        hasPassword={state.loaded?.account.hasPassword === true}
        errors={errors}
        update={update}
        locked={locked}
      />
      <ServerFields
        servers={form.servers}
        errors={errors}
        onChange={(servers) => update({ servers })}
        locked={locked.has('servers')}
      />
      <RoutingPointFields
        routingPoints={state.routingPoints}
        errors={errors}
        onChange={state.setRoutingPoints}
        locked={locked.has('trustedRoutingPoints')}
      />
      <BehaviourFields
        form={form}
        errors={errors}
        update={update}
        locked={locked}
        shortcutsProblem={state.loaded?.shortcutsProblem}
      />
      <HistoryExportFields />
      <SettingsActions state={state} />
    </form>
  );
}
