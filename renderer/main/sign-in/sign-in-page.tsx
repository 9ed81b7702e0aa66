/**
 * The first-run screen: no account is set up yet, so nothing connects until
 * the KW enters their server(s), SIP address and password (or their
 * organization's policy or setup link fills some in).
 */
import type { JSX } from 'preact';
import { FieldError, LockedNote, TextField } from '../settings/fields.js';
import { ServerList } from '../settings/server-list.js';
import type { SignInForm } from './sign-in-form.js';
import { useSignIn, type SignInState } from './use-sign-in.js';
import { provisioning } from '../../shared/store.js';
import { SetupLinkView } from './setup-link-view.js';
import { SetupLinkEntry } from './setup-link-entry.js';

/** The first run (no account yet), or a setup link that arrived: the link's view replaces the form. */
export function SignInPage(): JSX.Element {
  const link = provisioning.value;
  return (
    <main class="sign-in" data-testid="sign-in">
      <div class="sign-in-card">
        <p class="sign-in-brand" aria-hidden="true">
          KW
        </p>
        <h1>Sign in to KW Desktop</h1>
        {link.state === 'idle' ? <ManualSignIn /> : <SetupLinkView view={link} />}
      </div>
    </main>
  );
}

function ManualSignIn(): JSX.Element {
  const state = useSignIn();
  return (
    <>
      <p class="sign-in-intro">
        Enter the account your organization gave you. KW Desktop connects only after you sign in.
      </p>
      {state.form ? (
        <SignInFields state={state} form={state.form} />
      ) : (
        <p class={state.formError ? 'inline-error' : 'muted'} role={state.formError ? 'alert' : undefined}>
          {state.formError ?? 'Loading…'}
        </p>
      )}
      <SetupLinkEntry />
    </>
  );
}

function SignInFields(props: { state: SignInState; form: SignInForm }): JSX.Element {
  const { state, form } = props;
  const { errors, update } = state;
  const locked = new Set(state.loaded?.locked ?? []);
  return (
    <form
      class="sign-in-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        state.submit();
      }}
    >
      <ServerRows
        servers={form.servers}
        errors={errors}
        locked={locked.has('servers')}
        onChange={(servers) => update({ servers })}
      />
      <TextField
        name="uri"
        label="SIP address"
        placeholder="jane.doe@example.com"
        value={form.uri}
        locked={locked.has('account.uri')}
        autoComplete="username"
        errors={errors}
        onInput={(uri) => update({ uri })}
      />
      <TextField
        name="password"
        type="password"
        label="Password"
        autoComplete="current-password"
        value={form.password}
        errors={errors}
        onInput={(password) => update({ password })}
      />
      <details
        class="sign-in-more"
        open={Boolean(form.authUser || form.displayName || errors.authUser || errors.displayName)}
      >
        <summary>More options</summary>
        <TextField
          name="authUser"
          label="Authentication user"
          hint="Only if your organization gave you one; otherwise the user part of the SIP address is used."
          value={form.authUser}
          locked={locked.has('account.authUser')}
          errors={errors}
          onInput={(authUser) => update({ authUser })}
        />
        <TextField
          name="displayName"
          label="Display name"
          hint="The name agents see."
          value={form.displayName}
          locked={locked.has('account.displayName')}
          errors={errors}
          onInput={(displayName) => update({ displayName })}
        />
      </details>
      <div class="sign-in-actions">
        <button type="submit" class="btn btn-primary" data-testid="sign-in-submit" disabled={state.busy}>
          {state.busy ? 'Signing in…' : 'Sign in'}
        </button>
        {state.formError && (
          <p class="inline-error" role="alert">
            {state.formError}
          </p>
        )}
      </div>
    </form>
  );
}

function ServerRows(props: {
  servers: readonly string[];
  errors: Record<string, string>;
  locked: boolean;
  onChange: (servers: string[]) => void;
}): JSX.Element {
  const { servers, errors } = props;
  return (
    <fieldset class="sign-in-servers" disabled={props.locked}>
      <legend id="servers-legend">{servers.length > 1 ? 'SIP servers' : 'SIP server'}</legend>
      {props.locked && <LockedNote id="servers-locked" />}
      <p class="field-hint" id="servers-hint">
        {servers.length > 1
          ? 'Tried in this order: the next one is used when one cannot be reached.'
          : 'The WebSocket address of your SIP server.'}
      </p>
      {servers.length === 1 && (
        <OneServer
          value={servers[0] ?? ''}
          error={errors['servers.0']}
          locked={props.locked}
          onChange={props.onChange}
        />
      )}
      <ServerList
        servers={servers}
        errors={errors}
        onChange={props.onChange}
        placeholder="wss://sip.example.com"
        addLabel="Add a backup server"
        locked={props.locked}
        rows={servers.length > 1}
      />
    </fieldset>
  );
}

/** One server: a plain field, without the list's number and buttons. */
function OneServer(props: {
  value: string;
  error: string | undefined;
  locked: boolean;
  onChange: (servers: string[]) => void;
}): JSX.Element {
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <input
        id="f-servers.0"
        type="text"
        spellcheck={false}
        autoComplete="off"
        aria-labelledby="servers-legend"
        aria-describedby={
          props.error ? 'err-servers.0' : props.locked ? 'servers-locked servers-hint' : 'servers-hint'
        }
        aria-invalid={props.error ? 'true' : undefined}
        placeholder="wss://sip.example.com"
        value={props.value}
        onInput={(e) => props.onChange([e.currentTarget.value])}
      />
      <FieldError id="err-servers.0" error={props.error} />
    </div>
  );
}
