/**
 * A setup link from the organization, as the KW sees it before anything is
 * applied: being fetched, what it sets up (and what the KW still types), or
 * why it cannot be used. Everything shown comes from the network: text only.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ProvisioningView } from '../../../preload/contract.js';
import { errorText, kwApi } from '../../shared/kw.js';
import { NetText } from '../../shared/components/net-text.js';
import { normalizeSipAddress } from './sign-in-form.js';

type Ready = Extract<ProvisioningView, { state: 'ready' }>;

export function SetupLinkView(props: { view: ProvisioningView }): JSX.Element | null {
  const { view } = props;
  if (view.state === 'idle') return null;
  if (view.state === 'ready') return <SetupReady view={view} />;
  if (view.state === 'failed') return <SetupFailed host={view.host} sentence={view.sentence} />;
  return (
    <section class="setup-link" aria-labelledby="h-setup" aria-busy="true">
      <h2 id="h-setup">Setting up from your organization</h2>
      <p role="status">
        {view.state === 'fetching' ? 'Getting the setup from ' : 'Signing in with the setup from '}
        <NetText text={view.host} fit="wrap" />…
      </p>
      {view.state === 'fetching' && <CancelButton label="Cancel" />}
    </section>
  );
}

function CancelButton(props: { label: string }): JSX.Element {
  return (
    <button type="button" class="btn" onClick={() => void kwApi()?.provisioning.cancel({})}>
      {props.label}
    </button>
  );
}

function SetupFailed(props: { host: string; sentence: string }): JSX.Element {
  return (
    <section class="setup-link" aria-labelledby="h-setup">
      <h2 id="h-setup">The setup link cannot be used</h2>
      <p class="inline-error" role="alert" data-testid="setup-error">
        <NetText text={props.sentence} fit="wrap" />
      </p>
      <CancelButton label="Enter the account myself" />
    </section>
  );
}

function SetupReady(props: { view: Ready }): JSX.Element {
  const { view } = props;
  const [uri, setUri] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ field: 'uri' | 'password' | null; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const needsUri = view.account.uri === '';

  const submit = (): void => {
    const address = normalizeSipAddress(uri);
    if (needsUri && address === '') return setError({ field: 'uri', text: 'Enter your SIP address.' });
    if (!view.signsInWithCode && password === '')
      return setError({ field: 'password', text: 'Enter your password.' });
    setError(null);
    setBusy(true);
    kwApi()
      ?.provisioning.apply({
        ...(needsUri ? { uri: address } : {}),
        ...(view.signsInWithCode ? {} : { password }),
      })
      .then(
        () => setBusy(false),
        (err: unknown) => {
          setBusy(false);
          const text = errorText(err);
          setError({
            field: /SIP address/.test(text) ? 'uri' : /password/.test(text) ? 'password' : null,
            text,
          });
        },
      );
  };

  return (
    <section class="setup-link" aria-labelledby="h-setup" data-testid="setup-ready">
      <h2 id="h-setup">Set up by your organization</h2>
      <p>
        The setup from <NetText text={view.host} fit="wrap" /> signs you in with:
      </p>
      <SetupSummary view={view} />
      {view.replacesAccount !== undefined && (
        <p class="setup-warning" role="note">
          This replaces the account you use now (<NetText text={view.replacesAccount} fit="wrap" />
          ).
        </p>
      )}
      <form
        class="sign-in-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {needsUri && (
          <SetupField
            id="f-setup-uri"
            label="Your SIP address"
            placeholder={`name@${view.domain}`}
            value={uri}
            error={error?.field === 'uri' ? error.text : undefined}
            onInput={setUri}
          />
        )}
        {!view.signsInWithCode && (
          <SetupField
            id="f-setup-password"
            label="Password"
            type="password"
            value={password}
            error={error?.field === 'password' ? error.text : undefined}
            onInput={setPassword}
          />
        )}
        {error?.field === null && (
          <p class="inline-error" role="alert">
            {error.text}
          </p>
        )}
        <div class="sign-in-actions">
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="setup-apply">
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <CancelButton label="Cancel" />
        </div>
      </form>
    </section>
  );
}

function SetupSummary(props: { view: Ready }): JSX.Element {
  const { view } = props;
  const name = view.account.displayName;
  return (
    <dl class="setup-summary">
      {view.account.uri !== '' && (
        <>
          <dt>Account</dt>
          <dd>
            <NetText text={name ? `${name} (${view.account.uri})` : view.account.uri} fit="wrap" />
          </dd>
        </>
      )}
      <dt>{view.servers.length > 1 ? 'Servers' : 'Server'}</dt>
      {view.servers.map((s) => (
        <dd key={s} class="mono">
          <NetText text={s} fit="wrap" />
        </dd>
      ))}
      {view.trustedRoutingPoints.length > 0 && <dt>Requests from</dt>}
      {view.trustedRoutingPoints.map((rp) => (
        <dd key={rp} class="mono">
          <NetText text={rp} fit="wrap" />
        </dd>
      ))}
    </dl>
  );
}

function SetupField(props: {
  id: string;
  label: string;
  type?: string;
  placeholder?: string;
  value: string;
  error: string | undefined;
  onInput: (value: string) => void;
}): JSX.Element {
  const errId = `${props.id}-error`;
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        spellcheck={false}
        autoComplete={props.type === 'password' ? 'current-password' : 'username'}
        placeholder={props.placeholder}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? errId : undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.error && (
        <p id={errId} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}
