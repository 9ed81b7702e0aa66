/**
 * The trusted routing points in the settings form: the errors the form can
 * see by itself, the list it sends, and which row main's refusal names.
 * Main is the authority (wire/settings-fields.ts TrustedRoutingPointsSchema);
 * these checks repeat its rules so a mistake shows before saving.
 */
import { toAor } from '../../../wire/sip/uri.js';
import { MAX_TRUSTED_ROUTING_POINTS } from '../../../wire/settings-fields.js';
import type { SettingsInput } from '../../../preload/contract.js';
import { inputFromForm, type FieldErrors, type SettingsForm } from '../../shared/model.js';

export const MAX_ROUTING_POINTS = MAX_TRUSTED_ROUTING_POINTS;

export const ROUTING_POINTS_FIELD = 'trustedRoutingPoints';

export const routingPointKey = (i: number): string => `${ROUTING_POINTS_FIELD}.${i}`;

export const ROUTING_POINT_MESSAGES = {
  empty: "enter the routing point's SIP address, or remove this row",
  invalid:
    'a routing point is a SIP address like sip:billing-experts@example.com, without port or parameters',
  duplicate: 'this routing point is already in the list',
  tooMany: `at most ${MAX_ROUTING_POINTS} routing points`,
} as const;

/** The address as main stores it (host lower-cased), or undefined when it is not one. */
export function routingPointAor(text: string): string | undefined {
  const trimmed = text.trim();
  const aor = toAor(trimmed);
  return aor !== undefined && aor.toLowerCase() === trimmed.toLowerCase() ? aor : undefined;
}

/** Errors by row (`trustedRoutingPoints.N`), and for the whole list (`trustedRoutingPoints`). */
export function routingPointErrors(list: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  list.forEach((text, i) => {
    const aor = routingPointAor(text);
    if (text.trim() === '') errors[routingPointKey(i)] = ROUTING_POINT_MESSAGES.empty;
    else if (aor === undefined) errors[routingPointKey(i)] = ROUTING_POINT_MESSAGES.invalid;
    else if (seen.has(aor)) errors[routingPointKey(i)] = ROUTING_POINT_MESSAGES.duplicate;
    if (aor !== undefined) seen.add(aor);
  });
  if (list.length > MAX_ROUTING_POINTS) errors[ROUTING_POINTS_FIELD] = ROUTING_POINT_MESSAGES.tooMany;
  return errors;
}

/** The input for `settings.save` from the form and the routing points, or every error the form can see. */
export function settingsInput(
  form: SettingsForm,
  routingPoints: readonly string[],
): { ok: true; input: SettingsInput } | { ok: false; errors: FieldErrors } {
  const checked = inputFromForm(form);
  const errors = { ...(checked.ok ? {} : checked.errors), ...routingPointErrors(routingPoints) };
  if (!checked.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: { ...checked.input, trustedRoutingPoints: routingPoints.map((rp) => rp.trim()) },
  };
}

/** The errors of the other fields. */
export function withoutRoutingPointErrors(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([k]) => !k.startsWith(ROUTING_POINTS_FIELD)));
}

/**
 * The routing-point field main's refusal names ("invalid input for
 * settings.save at trustedRoutingPoints.2: …"), or null when it names none.
 */
export function routingPointRefusal(message: string): { field: string; message: string } | null {
  const m = /\bat (trustedRoutingPoints(?:\.\d+)?): (.+)$/s.exec(message);
  return m?.[1] && m[2] ? { field: m[1], message: m[2] } : null;
}
