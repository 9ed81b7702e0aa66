/** Settings › Servers: the WebSocket addresses in failover order; add, move, remove. */
import type { JSX } from 'preact';
import { PlusIcon } from '../../shared/components/icons.js';
import type { FieldErrors } from '../../shared/model.js';
import { FieldError, LockedNote } from './fields.js';
import { ListRow } from './list-row.js';

const MAX_SERVERS = 5;

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
      <ol class="servers">
        {servers.map((_, i) => (
          <ListRow
            key={i}
            noun="Server"
            fieldKey={`servers.${i}`}
            hintId="servers-hint"
            placeholder="wss://sip.example.com:7443"
            list={servers}
            index={i}
            error={errors[`servers.${i}`]}
            onChange={props.onChange}
            reorder
          />
        ))}
      </ol>
      <FieldError id="err-servers" error={errors.servers} />
      <button
        type="button"
        class="btn btn-small"
        disabled={servers.length >= MAX_SERVERS}
        onClick={() => props.onChange([...servers, ''])}
      >
        <PlusIcon /> Add server
      </button>
    </fieldset>
  );
}
