/** The parts of a preview card that show the request: head with the countdown, body, countdown bar. */
import type { JSX } from 'preact';
import type { PreviewView } from '../../../preload/contract.js';
import { neutralizeBidi } from '../net-text.js';
import { NetText } from './net-text.js';
import { CardUserData } from './user-data-card.js';

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
        <NetText text={p.agent.displayName || p.agent.uri} fit="line" />
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
      <p class="preview-meta">
        <NetText text={p.agent.uri} fit="line" />
        {p.routingPoint && (
          <>
            <span class="preview-meta-label">· via</span>
            <NetText text={p.routingPoint.replace(/^sips?:/, '')} fit="line" class="shrink-first" />
          </>
        )}
      </p>
      <NetText text={p.subject || 'No subject'} fit="line" class="preview-subject" />
      {p.text && (
        <p class="preview-text">
          {/* Cut after a few lines: the whole text is its tooltip (screen readers read it whole anyway). */}
          <span class="clamp" title={neutralizeBidi(p.text)}>
            <NetText text={p.text} fit="wrap" links />
          </span>
        </p>
      )}
      <CardUserData data={p.userData} idBase={`pv-${p.interactionId}`} />
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
