/** One escalated call in a conversation's timeline: what kind, how it ended, how long. */
import type { JSX } from 'preact';
import type { CallRecordView } from '../../preload/contract.js';
import { NetText } from '../shared/components/net-text.js';
import { formatTime } from '../shared/format.js';
import { formatDuration } from '../shared/model.js';

const OUTCOME: Record<CallRecordView['outcome'], string> = {
  answered: 'answered',
  declined: 'declined',
  missed: 'missed',
  failed: 'could not connect',
};

export function CallRecordLine(props: { record: CallRecordView }): JSX.Element {
  const r = props.record;
  const kind =
    r.escalation === 'conference'
      ? 'Conference call'
      : r.escalation === 'transfer'
        ? 'Transferred call'
        : 'Call';
  const talk = r.outcome === 'answered' ? ` · ${formatDuration(r.durationMs)}` : '';
  return (
    <div class={`call-record is-${r.outcome}`} data-testid="call-record" data-outcome={r.outcome} role="note">
      <span class="call-record-icon" aria-hidden="true">
        ☎
      </span>
      <span class="call-record-text">
        {kind} {OUTCOME[r.outcome]}
        {talk}
        <span class="call-record-reason">
          {' — '}
          <NetText text={r.endReason} fit="wrap" />
        </span>
      </span>
      <time dateTime={r.offeredAt}>{formatTime(r.offeredAt)}</time>
    </div>
  );
}
