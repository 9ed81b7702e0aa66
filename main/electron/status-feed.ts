/** The `status`, `calls`, `requests` and `alert` events of a KwApp, typed (EventSink is generic over all events). */
import type { EventSink } from '../app/kw-app.js';
import type { CallView, EventPayload, RequestsView, StatusView } from '../../preload/contract.js';
import type { Unsubscribe } from '../core/events.js';

export function onStatus(
  app: { onEvent(sink: EventSink): Unsubscribe },
  listener: (status: StatusView) => void,
): Unsubscribe {
  return app.onEvent((event, payload) => {
    if (event === 'status') listener(payload as StatusView);
  });
}

export function onCalls(
  app: { onEvent(sink: EventSink): Unsubscribe },
  listener: (calls: readonly CallView[]) => void,
): Unsubscribe {
  return app.onEvent((event, payload) => {
    if (event === 'calls') listener(payload as CallView[]);
  });
}

export function onRequests(
  app: { onEvent(sink: EventSink): Unsubscribe },
  listener: (requests: RequestsView) => void,
): Unsubscribe {
  return app.onEvent((event, payload) => {
    if (event === 'requests') listener(payload as RequestsView);
  });
}

export function onAlert(
  app: { onEvent(sink: EventSink): Unsubscribe },
  listener: (alert: EventPayload<'alert'>) => void,
): Unsubscribe {
  return app.onEvent((event, payload) => {
    if (event === 'alert') listener(payload as EventPayload<'alert'>);
  });
}
