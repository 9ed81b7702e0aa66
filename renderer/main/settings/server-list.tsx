/** The servers in failover order (Settings and the sign-in screen): rows to edit, move and remove, their errors, Add. */
import type { JSX } from 'preact';
import { PlusIcon } from '../../shared/components/icons.js';
import type { FieldErrors } from '../../shared/model.js';
import { MAX_SERVERS } from '../../../wire/settings-fields.js';
import { FieldError } from './fields.js';
import { ListRow } from './list-row.js';

export function ServerList(props: {
  servers: readonly string[];
  errors: FieldErrors;
  onChange: (servers: string[]) => void;
  placeholder: string;
  /** "Add server", "Add a backup server". */
  addLabel: string;
  /** Enforced by the organization: no Add button (the fieldset around is disabled). */
  locked?: boolean;
  /** Rows only when there are several (the sign-in screen shows one server as a plain field). */
  rows?: boolean;
}): JSX.Element {
  const { servers, errors } = props;
  return (
    <>
      {props.rows !== false && (
        <ol class="servers">
          {servers.map((_, i) => (
            <ListRow
              key={i}
              noun="Server"
              fieldKey={`servers.${i}`}
              hintId="servers-hint"
              placeholder={props.placeholder}
              list={servers}
              index={i}
              error={errors[`servers.${i}`]}
              onChange={props.onChange}
              reorder
            />
          ))}
        </ol>
      )}
      <FieldError id="err-servers" error={errors.servers} />
      {!props.locked && (
        <button
          type="button"
          class="btn btn-small"
          disabled={servers.length >= MAX_SERVERS}
          onClick={() => props.onChange([...servers, ''])}
        >
          <PlusIcon /> {props.addLabel}
        </button>
      )}
    </>
  );
}
