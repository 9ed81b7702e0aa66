/** The `status` events of a KwApp, typed (EventSink is generic over all events). */
import type { EventSink } from '../core/app/kw-app.js';
import type { StatusView } from '../../preload/contract.js';
import type { Unsubscribe } from '../core/events.js';

export function onStatus(
  app: { onEvent(sink: EventSink): Unsubscribe },
  listener: (status: StatusView) => void,
): Unsubscribe {
  return app.onEvent((event, payload) => {
    if (event === 'status') listener(payload as StatusView);
  });
}
