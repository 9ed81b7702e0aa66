/**
 * A WAV file of a pure tone for Chromium's fake capture device
 * (`--use-file-for-fake-audio-capture`, which loops it): each party of a call
 * test speaks at its own frequency, so the far end can tell who it hears.
 */
import { writeFile } from 'node:fs/promises';

export function toneWav(frequencyHz: number, seconds = 2, sampleRate = 48_000, amplitude = 0.5): Buffer {
  // Whole periods only, so the loop point is seamless.
  const periods = Math.max(1, Math.round(frequencyHz * seconds));
  const samples = Math.round((periods / frequencyHz) * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const v = Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate) * amplitude;
    data.writeInt16LE(Math.round(v * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // PCM chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export async function writeToneWav(path: string, frequencyHz: number): Promise<string> {
  await writeFile(path, toneWav(frequencyHz));
  return path;
}
