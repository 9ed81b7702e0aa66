/**
 * Tray icons drawn in code: a coloured dot per presence state, encoded as a
 * PNG (no binary files in git). Pure: Node's zlib and Buffer only.
 */
import { deflateSync } from 'node:zlib';
import type { TrayIconKey } from './tray-model.js';

type Rgb = readonly [number, number, number];

export const ICON_COLORS: Record<TrayIconKey, Rgb> = {
  available: [0x2e, 0x9d, 0x48],
  busy: [0xd3, 0x2f, 0x2f],
  dnd: [0x9b, 0x1c, 0x1c],
  brb: [0xf2, 0xa9, 0x00],
  away: [0xef, 0x6c, 0x00],
  offline: [0x8a, 0x8a, 0x8a],
  'on-the-phone': [0x7b, 0x3f, 0xc4],
  disconnected: [0x8a, 0x8a, 0x8a],
  // Bright amber: the flash of a request waiting unseen, distinct from every presence colour.
  attention: [0xff, 0xc4, 0x00],
};

/** Hollow icons: the KW cannot be reached (offline, not signed in). */
const HOLLOW: ReadonlySet<TrayIconKey> = new Set(['offline', 'disconnected']);
/** Struck through: not connected, whatever the presence chosen (tells it apart from "Offline"). */
const STRUCK: ReadonlySet<TrayIconKey> = new Set(['disconnected']);

/** A size×size RGBA dot (anti-aliased edge), hollow as a ring when asked, struck through when asked. */
export function dotRgba(size: number, color: Rgb, hollow = false, struck = false): Buffer {
  const buf = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  const outer = size / 2 - size / 16;
  const inner = hollow ? outer - Math.max(1.5, size / 6) : -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const outside = Math.min(1, Math.max(0, outer + 0.5 - d));
      const inside = inner < 0 ? 1 : Math.min(1, Math.max(0, d - (inner - 0.5)));
      const alpha = Math.round(255 * outside * Math.max(inside, struck ? strike(x, y, c, size) : 0));
      const i = (y * size + x) * 4;
      buf[i] = color[0];
      buf[i + 1] = color[1];
      buf[i + 2] = color[2];
      buf[i + 3] = alpha;
    }
  }
  return buf;
}

/** Coverage of the diagonal stroke (top left → bottom right) through the centre at (x, y). */
function strike(x: number, y: number, c: number, size: number): number {
  const distance = Math.abs(x - c - (y - c)) / Math.SQRT2;
  const half = Math.max(0.75, size / 16);
  return Math.min(1, Math.max(0, half + 0.5 - distance));
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes RGBA pixels as a PNG (8-bit RGBA, no interlace). */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  if (rgba.length !== width * height * 4) throw new Error('pixel buffer does not match the size');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    rows[y * (1 + width * 4)] = 0; // filter: none
    rgba.copy(rows, y * (1 + width * 4) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The PNG of one state's icon at one pixel size (16 for 1x, 32 for 2x). */
export function trayIconPng(key: TrayIconKey, size: number): Buffer {
  return encodePng(size, size, dotRgba(size, ICON_COLORS[key], HOLLOW.has(key), STRUCK.has(key)));
}
