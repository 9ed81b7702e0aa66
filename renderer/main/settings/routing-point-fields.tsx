/** Settings › Routing points: the SIP addresses whose expert requests this KW accepts; add, remove. */
import type { JSX } from 'preact';
import { PlusIcon, TrashIcon } from '../../shared/components/icons.js';
import type { FieldErrors } from '../../shared/model.js';
import { FieldError } from './fields.js';
import { MAX_ROUTING_POINTS, ROUTING_POINTS_FIELD, routingPointKey } from './routing-points.js';

// Number, address, Remove: the Remove buttons line up with the servers' (.server has five columns).
const ROW_COLUMNS = { gridTemplateColumns: '20px 1fr auto' };

export function RoutingPointFields(props: {
  routingPoints: readonly string[];
  errors: FieldErrors;
  onChange: (list: string[]) => void;
}): JSX.Element {
  const { routingPoints, errors, onChange } = props;
  return (
    <fieldset data-testid="routing-points">
      <legend>Routing points you accept requests from</legend>
      <p class="field-hint" id="routing-points-hint">
        Expert requests come through routing points, each named by its SIP address (sip:name@domain). Requests
        from any other address are refused.
      </p>
      {routingPoints.length === 0 ? (
        <p class="muted" data-testid="routing-points-none">
          None yet: you will not receive expert requests until you add the routing points you work for.
        </p>
      ) : (
        <ol class="servers">
          {routingPoints.map((value, i) => (
            <RoutingPointRow
              key={i}
              list={routingPoints}
              index={i}
              value={value}
              error={errors[routingPointKey(i)]}
              onChange={onChange}
            />
          ))}
        </ol>
      )}
      <FieldError id={`err-${ROUTING_POINTS_FIELD}`} error={errors[ROUTING_POINTS_FIELD]} />
      <button
        type="button"
        class="btn btn-small"
        data-testid="routing-point-add"
        disabled={routingPoints.length >= MAX_ROUTING_POINTS}
        onClick={() => {
          onChange([...routingPoints, '']);
          // The new row's field, once rendered.
          requestAnimationFrame(() =>
            document.getElementById(`f-${routingPointKey(routingPoints.length)}`)?.focus(),
          );
        }}
      >
        <PlusIcon /> Add routing point
      </button>
    </fieldset>
  );
}

/** Routing point `index`: its address, Remove, its error. */
function RoutingPointRow(props: {
  list: readonly string[];
  index: number;
  value: string;
  error: string | undefined;
  onChange: (list: string[]) => void;
}): JSX.Element {
  const { list, index: i, error, onChange } = props;
  const key = routingPointKey(i);
  return (
    <li class={`server${error ? ' has-error' : ''}`} style={ROW_COLUMNS}>
      <span class="server-n" aria-hidden="true">
        {i + 1}
      </span>
      <input
        id={`f-${key}`}
        type="text"
        spellcheck={false}
        aria-label={`Routing point ${i + 1}`}
        aria-describedby={error ? `err-${key}` : 'routing-points-hint'}
        aria-invalid={error ? 'true' : undefined}
        placeholder="sip:billing-experts@example.com"
        value={props.value}
        onInput={(e) => {
          const next = [...list];
          next[i] = e.currentTarget.value;
          onChange(next);
        }}
      />
      <button
        type="button"
        class="btn btn-icon"
        aria-label={`Remove routing point ${i + 1}`}
        onClick={() => onChange(list.filter((_, j) => j !== i))}
      >
        <TrashIcon />
      </button>
      <FieldError id={`err-${key}`} error={error} />
    </li>
  );
}
