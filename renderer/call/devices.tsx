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

/** `id` names the selects' box (a "Devices" button shows and hides it in short windows). */
export function DeviceSelects(props: { id?: string; idPrefix: string }): JSX.Element {
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
          // A device's name is often longer than the select: the whole name on hover.
          title={options.find((o) => o.value === (view?.[which] ?? ''))?.label}
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
  // The problems stay outside the box: they show while the selects are hidden too.
  return (
    <>
      <div class="devices" id={props.id}>
        {select('input')}
        {select('output')}
      </div>
      {view && !view.available && (
        <p class="inline-error devices-error" role="alert">
          No audio engine is attached: calls cannot carry sound.
        </p>
      )}
      {error && (
        <p class="inline-error devices-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
