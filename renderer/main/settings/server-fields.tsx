/** Settings › Servers: the WebSocket addresses in failover order; add, move, remove. */
import type { JSX } from 'preact';
import type { FieldErrors } from '../../shared/model.js';
import { LockedNote } from './fields.js';
import { ServerList } from './server-list.js';

export function ServerFields(props: {
  servers: readonly string[];
  errors: FieldErrors;
  onChange: (servers: string[]) => void;
  /** Enforced by the organization: the whole list is disabled. */
  locked?: boolean;
}): JSX.Element {
  const { servers, errors } = props;
  return (
    <fieldset disabled={props.locked === true}>
      <legend>Servers</legend>
      {props.locked && <LockedNote id="servers-locked" />}
      <p class="field-hint" id="servers-hint">
        WebSocket addresses (ws:// or wss://), tried in this order: the next one is used when one fails.
      </p>
      <ServerList
        servers={servers}
        errors={errors}
        onChange={props.onChange}
        placeholder="wss://sip.example.com:7443"
        addLabel="Add server"
      />
    </fieldset>
  );
}
