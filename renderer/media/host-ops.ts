/**
 * Runs main's requests and words the answers: a result or an error, with the
 * snapshot of the peer connection the request names (when it still exists).
 */
import type { FromHost, HostRequest } from '../../wire/media-host.js';
import type { Handlers, HostContext } from './host-context.js';
import { closePc, type HostHoldings } from './host-holdings.js';
import { takeSnapshot } from './pc-snapshot.js';
import { pcOps } from './pc-ops.js';
import { streamOps } from './stream-ops.js';

export function hostOps(ctx: HostContext): Handlers {
  return { ...streamOps(ctx), ...pcOps(ctx) };
}

/** An error as the protocol carries it: a name and a message, both bounded. */
export function errorOf(error: unknown): { name: string; message: string } {
  const name = error instanceof Error || error instanceof DOMException ? error.name : 'Error';
  const message = error instanceof Error || error instanceof DOMException ? error.message : String(error);
  return { name: name.slice(0, 64) || 'Error', message: (message || name).slice(0, 1024) };
}

/** Runs one request; never rejects: a failure is the answer. */
export async function answer(
  id: number,
  request: HostRequest,
  ops: Handlers,
  holdings: HostHoldings,
): Promise<FromHost> {
  const pcId = 'pcId' in request ? request.pcId : undefined;
  try {
    if (request.op === 'close') return closeAnswer(id, request.pcId, holdings);
    const handler = ops[request.op] as (r: HostRequest) => Promise<unknown>;
    const result = await handler(request);
    const entry = pcId === undefined ? undefined : holdings.pcs.get(pcId);
    return { kind: 'result', id, result, ...(entry ? { snapshot: takeSnapshot(entry) } : {}) };
  } catch (error) {
    const entry = pcId === undefined ? undefined : holdings.pcs.get(pcId);
    return { kind: 'error', id, ...errorOf(error), ...(entry ? { snapshot: takeSnapshot(entry) } : {}) };
  }
}

/** Closing answers with the snapshot taken after the close (main sees `closed`), then forgets the connection. */
function closeAnswer(id: number, pcId: string, holdings: HostHoldings): FromHost {
  const entry = holdings.pcs.get(pcId);
  if (!entry) return { kind: 'result', id, result: null };
  closePc(entry);
  const snapshot = takeSnapshot(entry);
  holdings.pcs.delete(entry.id);
  return { kind: 'result', id, result: null, snapshot };
}
