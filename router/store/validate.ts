/**
 * Argument checks shared by both stores, so that they refuse the same calls
 * with the same errors before doing anything, and the shape check of a routing
 * state read back from the store.
 */
import type { JsonObject, RoutingState } from './types.js';

/** Lua and JSON both keep integers exact up to here. */
const MAX_INT = Number.MAX_SAFE_INTEGER;
/** claimDue's batch bound: one script call must stay short (it blocks Redis). */
export const MAX_CLAIM_LIMIT = 1000;

export function checkName(what: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${what} must be a non-empty string`);
}

export function checkInt(what: string, value: number, min: number, max = MAX_INT): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

export function checkToken(token: number): void {
  checkInt('token', token, 1);
}

export function checkLease(leaseMs: number): void {
  checkInt('leaseMs', leaseMs, 1);
}

export function checkTime(what: string, ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be a finite number of ms, got ${String(ms)}`);
}

export function checkRecord(record: JsonObject): string {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new TypeError('interaction record must be a JSON object');
  }
  return JSON.stringify(record);
}

export function checkRoutingState(state: RoutingState): string {
  if (!isRoutingState(state)) throw new TypeError(`not a routing state: ${JSON.stringify(state)}`);
  return JSON.stringify(
    state.kind === 'NotReady' ? { kind: state.kind, reason: state.reason } : { kind: state.kind },
  );
}

export function isRoutingState(value: unknown): value is RoutingState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { kind?: unknown; reason?: unknown };
  if (v.kind === 'Ready' || v.kind === 'LoggedOut') return true;
  return v.kind === 'NotReady' && typeof v.reason === 'string';
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
