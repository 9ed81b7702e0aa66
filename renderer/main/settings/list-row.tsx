/** One row of an editable list in Settings (servers, routing points): number, address, optional Up/Down, Remove, its error. */
import type { JSX } from 'preact';
import { DownIcon, TrashIcon, UpIcon } from '../../shared/components/icons.js';
import { move } from '../../shared/model.js';
import { FieldError } from './fields.js';

export interface ListRowProps {
  /** What one entry is called, for the accessible names: "Server", "Routing point". */
  readonly noun: string;
  /** The form key of this entry (`servers.0`): the field's id and its error's. */
  readonly fieldKey: string;
  /** The list's hint, described by the field while it has no error. */
  readonly hintId: string;
  readonly placeholder: string;
  readonly list: readonly string[];
  readonly index: number;
  readonly error: string | undefined;
  readonly onChange: (list: string[]) => void;
  /** Up / Down buttons (the servers' order is their failover order). */
  readonly reorder?: boolean;
  /** Whether the last entry may be removed. */
  readonly mayEmpty?: boolean;
  readonly style?: JSX.CSSProperties;
}

export function ListRow(props: ListRowProps): JSX.Element {
  const { noun, fieldKey: key, list, index: i, error, onChange } = props;
  const n = i + 1;
  const name = `${noun.toLowerCase()} ${n}`;
  const button = (label: string, disabled: boolean, next: () => string[], icon: JSX.Element): JSX.Element => (
    <button
      type="button"
      class="btn btn-icon"
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(next())}
    >
      {icon}
    </button>
  );
  return (
    <li class={`server${error ? ' has-error' : ''}`} style={props.style}>
      <span class="server-n" aria-hidden="true">
        {n}
      </span>
      <input
        id={`f-${key}`}
        type="text"
        spellcheck={false}
        aria-label={`${noun} ${n}`}
        aria-describedby={error ? `err-${key}` : props.hintId}
        aria-invalid={error ? 'true' : undefined}
        placeholder={props.placeholder}
        value={list[i]}
        onInput={(e) => {
          const next = [...list];
          next[i] = e.currentTarget.value;
          onChange(next);
        }}
      />
      {props.reorder && button(`Move ${name} up`, i === 0, () => move(list, i, -1), <UpIcon />)}
      {props.reorder &&
        button(`Move ${name} down`, i === list.length - 1, () => move(list, i, 1), <DownIcon />)}
      {button(
        `Remove ${name}`,
        !props.mayEmpty && list.length === 1,
        () => list.filter((_, j) => j !== i),
        <TrashIcon />,
      )}
      <FieldError id={`err-${key}`} error={error} />
    </li>
  );
}
