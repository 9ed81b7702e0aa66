/** Settings › Servers: the WebSocket addresses in failover order; add, move, remove. */
import type { JSX } from 'preact';
import { DownIcon, PlusIcon, TrashIcon, UpIcon } from '../../shared/components/icons.js';
import { move, type FieldErrors } from '../../shared/model.js';
import { FieldError } from './fields.js';

const MAX_SERVERS = 5;

export function ServerFields(props: {
  servers: readonly string[];
  errors: FieldErrors;
  onChange: (servers: string[]) => void;
}): JSX.Element {
  const { servers, errors } = props;
  return (
    <fieldset>
      <legend>Servers</legend>
      <p class="field-hint" id="servers-hint">
        WebSocket addresses (ws:// or wss://), tried in this order: the next one is used when one fails.
      </p>
      <ol class="servers">
        {servers.map((server, i) => (
          <ServerRow
            key={i}
            servers={servers}
            index={i}
            value={server}
            error={errors[`servers.${i}`]}
            onChange={props.onChange}
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

/** Server `index`: its address, Up / Down / Remove, its error. */
function ServerRow(props: {
  servers: readonly string[];
  index: number;
  value: string;
  error: string | undefined;
  onChange: (servers: string[]) => void;
}): JSX.Element {
  const { servers, index: i, error, onChange } = props;
  const key = `servers.${i}`;
  return (
    <li class={`server${error ? ' has-error' : ''}`}>
      <span class="server-n" aria-hidden="true">
        {i + 1}
      </span>
      <input
        id={`f-${key}`}
        type="text"
        spellcheck={false}
        aria-label={`Server ${i + 1}`}
        aria-describedby={error ? `err-${key}` : 'servers-hint'}
        aria-invalid={error ? 'true' : undefined}
        placeholder="wss://sip.example.com:7443"
        value={props.value}
        onInput={(e) => {
          const next = [...servers];
          next[i] = e.currentTarget.value;
          onChange(next);
        }}
      />
      <button
        type="button"
        class="btn btn-icon"
        aria-label={`Move server ${i + 1} up`}
        disabled={i === 0}
        onClick={() => onChange(move(servers, i, -1))}
      >
        <UpIcon />
      </button>
      <button
        type="button"
        class="btn btn-icon"
        aria-label={`Move server ${i + 1} down`}
        disabled={i === servers.length - 1}
        onClick={() => onChange(move(servers, i, 1))}
      >
        <DownIcon />
      </button>
      <button
        type="button"
        class="btn btn-icon"
        aria-label={`Remove server ${i + 1}`}
        disabled={servers.length === 1}
        onClick={() => onChange(servers.filter((_, j) => j !== i))}
      >
        <TrashIcon />
      </button>
      <FieldError id={`err-${key}`} error={error} />
    </li>
  );
}
