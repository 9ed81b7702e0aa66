/** Call icons (stroke = currentColor), hidden from assistive technology: every button has its own text. */
import { Icon } from '../shared/components/icons.js';

const HANDSET =
  'M22 16.92v3a2 2 0 0 1-2.18 2 19.8 19.8 0 0 1-8.63-3.07 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.12 4.18 2 2 0 0 1 4.11 2h3a2 2 0 0 1 2 1.72c.13.96.36 1.9.7 2.81a2 2 0 0 1-.45 2.11L8.09 9.91a16 16 0 0 0 6 6l1.27-1.27a2 2 0 0 1 2.11-.45c.91.34 1.85.57 2.81.7A2 2 0 0 1 22 16.92z';

export const PhoneIcon = (p: { size?: number }) => <Icon d={HANDSET} size={p.size} />;
/** The handset turned down: hang up / decline. */
export const HangUpIcon = (p: { size?: number }) => (
  <Icon d={HANDSET} size={p.size} class="icon-hangup" rotate={135} />
);
export const MicIcon = () => (
  <Icon d="M12 2a3 3 0 0 0-3 3v7a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3zM19 10v2a7 7 0 0 1-14 0v-2M12 19v3M8 22h8" />
);
export const MicOffIcon = () => (
  <Icon d="M2 2l20 20M9 9v3a3 3 0 0 0 5.12 2.12M15 9.34V5a3 3 0 0 0-5.94-.6M17 16.95A7 7 0 0 1 5 12v-2m14 0v2a7 7 0 0 1-.11 1.23M12 19v3M8 22h8" />
);
export const PauseIcon = () => <Icon d="M10 4H6v16h4zM18 4h-4v16h4z" />;
export const PlayIcon = () => <Icon d="m6 3 14 9-14 9z" />;
export const KeypadIcon = () => (
  <Icon d="M5 4h.01M12 4h.01M19 4h.01M5 10h.01M12 10h.01M19 10h.01M5 16h.01M12 16h.01M19 16h.01M12 21h.01" />
);
export const SpeakerIcon = () => (
  <Icon d="M11 5 6 9H2v6h4l5 4zM15.54 8.46a5 5 0 0 1 0 7.07M19.07 4.93a10 10 0 0 1 0 14.14" />
);
