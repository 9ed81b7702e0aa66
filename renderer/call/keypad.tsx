/** The DTMF keypad: 0-9 * #, sent one tone per press; typing a key while the keypad has focus sends it too. */
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

const KEYS: readonly (readonly [string, string, string])[] = [
  ['1', '', '1'],
  ['2', 'ABC', '2'],
  ['3', 'DEF', '3'],
  ['4', 'GHI', '4'],
  ['5', 'JKL', '5'],
  ['6', 'MNO', '6'],
  ['7', 'PQRS', '7'],
  ['8', 'TUV', '8'],
  ['9', 'WXYZ', '9'],
  ['*', '', 'star'],
  ['0', '+', '0'],
  ['#', '', 'pound'],
];

export function Keypad(props: {
  id: string;
  /** Tones sent so far in this call (from main). */
  sent: string;
  disabled: boolean;
  onTone: (tone: string) => void;
}): JSX.Element {
  const first = useRef<HTMLButtonElement>(null);
  // Opened to type tones: the keys take the keyboard at once.
  useEffect(() => first.current?.focus(), []);
  return (
    <div
      id={props.id}
      class="keypad"
      role="group"
      aria-label="Keypad"
      data-testid="call-keypad-pad"
      onKeyDown={(e) => {
        if (e.ctrlKey || e.metaKey || e.altKey || props.disabled) return;
        if (/^[0-9*#]$/.test(e.key)) {
          e.preventDefault();
          props.onTone(e.key);
        }
      }}
    >
      <div class="keypad-keys">
        {KEYS.map(([key, letters, name]) => (
          <button
            key={key}
            ref={key === '1' ? first : undefined}
            type="button"
            class="keypad-key"
            // The digits name themselves (the letters are decoration); * and # need a word.
            aria-label={/^[0-9]$/.test(key) ? undefined : name}
            disabled={props.disabled}
            onClick={() => props.onTone(key)}
          >
            <span class="keypad-digit">{key}</span>
            <span class="keypad-letters" aria-hidden="true">
              {letters}
            </span>
          </button>
        ))}
      </div>
      <p class="keypad-sent" aria-live="polite">
        <span class="muted">Sent </span>
        <output data-testid="call-dtmf-sent">{props.sent || '—'}</output>
      </p>
    </div>
  );
}
