/**
 * The KW can see they are heard: two small meters in the call panel, "Mic"
 * (what the microphone sends into the call) and "Speaker" (what the far end
 * sends), fed by main's `levels` event about 5 times a second. Only this
 * component re-renders for it, not the call list. When main says the
 * microphone has been silent for a few seconds on a live, unmuted call, it
 * says so in a sentence.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CallLevelsView, CallView } from '../../preload/contract.js';
import { AlertIcon } from '../shared/components/icons.js';
import { kwApi } from '../shared/kw.js';
import { METER_SEGMENTS, litSegments, meterPercent, meterWord } from './level-scale.js';

/** The latest levels of one call (none until main sends the first). */
function useCallLevels(callId: string): CallLevelsView | null {
  const [levels, setLevels] = useState<CallLevelsView | null>(null);
  useEffect(() => {
    setLevels(null);
    return kwApi()?.on('levels', (l) => {
      if (l.callId === callId) setLevels(l);
    });
  }, [callId]);
  return levels;
}

interface MeterProps {
  readonly which: 'input' | 'output';
  readonly label: string;
  readonly level: number;
  /** Why this side is silent on purpose ("Muted"), said instead of the level. */
  readonly off?: string | undefined;
}

function Meter(props: MeterProps): JSX.Element {
  const lit = props.off ? 0 : litSegments(props.level);
  const percent = props.off ? 0 : meterPercent(props.level);
  return (
    <div
      class={`level${props.off ? ' is-off' : ''}`}
      role="meter"
      aria-label={`${props.label} level`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={props.off ?? meterWord(props.level)}
      data-testid={`level-${props.which}`}
      data-lit={lit}
    >
      <span class="level-label" aria-hidden="true">
        {props.off ? `${props.label} ${props.off.toLowerCase()}` : props.label}
      </span>
      <span class="level-bars" aria-hidden="true">
        {Array.from({ length: METER_SEGMENTS }, (_, i) => (
          <span key={i} class={i < lit ? 'level-bar is-lit' : 'level-bar'} />
        ))}
      </span>
    </div>
  );
}

export function LevelMeter(props: { call: CallView }): JSX.Element {
  const c = props.call;
  const levels = useCallLevels(c.callId);
  const held = c.held || c.remoteHeld;
  const micOff = c.muted ? 'Muted' : held ? 'On hold' : undefined;
  const silent = levels?.inputSilent === true && !micOff && c.phase === 'active';
  return (
    <div class="levels" data-testid="call-levels">
      <Meter which="input" label="Mic" level={levels?.input ?? 0} off={micOff} />
      <Meter which="output" label="Speaker" level={levels?.output ?? 0} />
      {/* Always there, so screen readers announce the sentence when it appears. */}
      <p
        class="levels-warning"
        role="status"
        data-testid="mic-silent"
        title={silent ? 'Check that your headset is plugged in and not muted on its cord.' : undefined}
      >
        {silent && (
          <>
            <AlertIcon />
            No sound from your microphone
          </>
        )}
      </p>
    </div>
  );
}
