/** Small inline icons (stroke = currentColor), hidden from assistive technology. */
import type { JSX } from 'preact';

/** One stroked path; the icon sets of each window build on it. */
export function Icon(props: {
  d: string;
  size?: number | undefined;
  class?: string;
  /** Degrees, around the centre (the handset turned down for hang up). */
  rotate?: number;
}): JSX.Element {
  const size = props.size ?? 16;
  return (
    <svg
      class={props.class ? `icon ${props.class}` : 'icon'}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={props.d} {...(props.rotate ? { transform: `rotate(${props.rotate} 12 12)` } : {})} />
    </svg>
  );
}

export const GearIcon = () => (
  <Icon d="M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 1 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06A1.65 1.65 0 0 0 4.68 15a1.65 1.65 0 0 0-1.51-1H3a2 2 0 1 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06A1.65 1.65 0 0 0 9 4.68a1.65 1.65 0 0 0 1-1.51V3a2 2 0 1 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06A1.65 1.65 0 0 0 19.4 9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 1 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
);
export const SearchIcon = () => <Icon d="M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.35-4.35" size={14} />;
export const SendIcon = () => <Icon d="M22 2 11 13M22 2l-7 20-4-9-9-4 20-7z" />;
export const CheckIcon = () => <Icon d="M20 6 9 17l-5-5" size={12} />;
export const AlertIcon = () => (
  <Icon
    d="M12 8v4M12 16h.01M10.29 3.86 1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z"
    size={12}
  />
);
export const ClockIcon = () => <Icon d="M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 6v6l4 2" size={12} />;
export const UpIcon = () => <Icon d="m18 15-6-6-6 6" size={14} />;
export const DownIcon = () => <Icon d="m6 9 6 6 6-6" size={14} />;
export const TrashIcon = () => (
  <Icon d="M3 6h18M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2m3 0v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6" size={14} />
);
export const PlusIcon = () => <Icon d="M12 5v14M5 12h14" size={14} />;
export const BackIcon = () => <Icon d="m15 18-6-6 6-6" />;
