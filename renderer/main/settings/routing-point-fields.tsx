/** Settings › Routing points: the SIP addresses whose expert requests this KW accepts; add, remove. */
import type { JSX } from 'preact';
import { PlusIcon } from '../../shared/components/icons.js';
import type { FieldErrors } from '../../shared/model.js';
import { FieldError, LockedNote } from './fields.js';
import { ListRow } from './list-row.js';
import { MAX_ROUTING_POINTS, ROUTING_POINTS_FIELD, routingPointKey } from './routing-points.js';

// Number, address, Remove: the Remove buttons line up with the servers' (.server has five columns).
const ROW_COLUMNS = { gridTemplateColumns: '20px 1fr auto' };

export function RoutingPointFields(props: {
  routingPoints: readonly string[];
  errors: FieldErrors;
  onChange: (list: string[]) => void;
  /** Enforced by the organization: the whole list is disabled. */
  locked?: boolean;
}): JSX.Element {
  const { routingPoints, errors, onChange } = props;
  return (
    <fieldset data-testid="routing-points" disabled={props.locked === true}>
      <legend>Routing points you accept requests from</legend>
      {props.locked && <LockedNote id="routing-points-locked" />}
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
          {routingPoints.map((_, i) => (
            <ListRow
              key={i}
              noun="Routing point"
              fieldKey={routingPointKey(i)}
              hintId="routing-points-hint"
              placeholder="sip:billing-experts@example.com"
              list={routingPoints}
              index={i}
              error={errors[routingPointKey(i)]}
              onChange={onChange}
              mayEmpty
              style={ROW_COLUMNS}
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
