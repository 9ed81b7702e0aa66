/**
 * Microphone and speaker for calls (also mid-call: main switches the host's
 * track and output). The lists are read again when a select takes focus, so
 * a headset plugged in since, and labels granted since, show up.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { DevicesView } from '../../preload/contract.js';
import { errorText, kwApi } from '../shared/kw.js';
import { deviceOptions } from '../shared/model.js';
import { MicIcon, SpeakerIcon } from './icons.js';

export function DeviceSelects(props: { idPrefix: string }): JSX.Element {
  const [view, setView] = useState<DevicesView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = (): void => {
    kwApi()
      ?.devices.list({})
      .then(setView, (e: unknown) => setError(`Devices: ${errorText(e)}`));
  };
  useEffect(refresh, []);
  const choose = (which: 'input' | 'output', value: string): void => {
    setError(null);
    kwApi()
      ?.devices.select({ [which]: value })
      .then(setView, (e: unknown) =>
        setError(`Could not switch the ${which === 'input' ? 'microphone' : 'speaker'}: ${errorText(e)}`),
      );
  };
  const select = (which: 'input' | 'output'): JSX.Element => {
    const id = `${props.idPrefix}-${which}`;
    const mic = which === 'input';
    const options = deviceOptions(
      view ? view[mic ? 'inputs' : 'outputs'] : [],
      mic ? 'Microphone' : 'Speaker',
    );
    return (
      <div class="device">
        <label for={id} title={mic ? 'Microphone' : 'Speaker'}>
          {mic ? <MicIcon /> : <SpeakerIcon />}
          <span class="visually-hidden">{mic ? 'Microphone' : 'Speaker'}</span>
        </label>
        <select
          id={id}
          data-testid={mic ? 'call-input-select' : 'call-output-select'}
          value={view?.[which] ?? ''}
          disabled={!view}
          onFocus={refresh}
          onChange={(e) => choose(which, e.currentTarget.value)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
    );
  };
  return (
    <div class="devices">
      {select('input')}
      {select('output')}
      {view && !view.available && (
        <p class="inline-error" role="alert">
          No audio engine is attached: calls cannot carry sound.
        </p>
      )}
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
