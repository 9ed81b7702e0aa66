/** The parts of a preview card that show the request: head with the countdown, body, countdown bar. */
import type { JSX } from 'preact';
import type { PreviewView } from '../../../preload/contract.js';
import { RichText } from './rich-text.js';
import { UserData } from './user-data.js';

/** Who asks, and the seconds left to answer. */
export function PreviewHead(props: {
  preview: PreviewView;
  titleId: string;
  secondsLeft: number;
}): JSX.Element {
  const p = props.preview;
  const left = props.secondsLeft;
  return (
    <header class="preview-head">
      <h2 id={props.titleId} class="preview-title">
        <span class="visually-hidden">Request from </span>
        {p.agent.displayName || p.agent.uri}
      </h2>
      <div
        class="preview-seconds"
        data-testid="preview-countdown"
        role="timer"
        aria-label={`${left} seconds left to answer`}
      >
        {left}
        <span class="unit"> s</span>
      </div>
    </header>
  );
}

/** Address and routing point, subject, first message, user data. */
export function PreviewBody(props: { preview: PreviewView; descId: string }): JSX.Element {
  const p = props.preview;
  return (
    <div id={props.descId} class="preview-body">
      <p class="preview-meta" title={`${p.agent.uri}${p.routingPoint ? ` via ${p.routingPoint}` : ''}`}>
        {p.agent.uri}
        {p.routingPoint && ` · via ${p.routingPoint.replace(/^sips?:/, '')}`}
      </p>
      <p class="preview-subject" title={p.subject}>
        {p.subject || 'No subject'}
      </p>
      {p.text && (
        <p class="preview-text">
          <span class="clamp">
            <RichText text={p.text} />
          </span>
        </p>
      )}
      <UserData data={p.userData} class="kv-inline" />
    </div>
  );
}

/** The time left as a shrinking bar (`fraction` from 1 to 0); the head says it in words. */
export function CountdownBar(props: { fraction: number }): JSX.Element {
  return (
    <div class="countdown" aria-hidden="true">
      <div class="countdown-fill" style={{ transform: `scaleX(${props.fraction})` }} />
    </div>
  );
}
