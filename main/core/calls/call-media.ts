/**
 * What the call manager needs from media: the media bridge (main/core/media)
 * behind a port, so the manager does not know which host carries the audio.
 */
import type { Unsubscribe } from '../events.js';
import type { CaptureOnto as MediaCaptureOnto, DeviceLists } from '../media/media-bridge.js';
import type { SoundLevels } from '../../../wire/media-host.js';

/** A captured microphone, opaque to the manager; JsSIP gets it as `mediaStream`. */
export interface CapturedStream {
  readonly id: string;
}

/** An answer prepared while ringing: `pcConfig` for `session.answer()`; `discard()` when the call ends. */
export interface PreparedMedia {
  readonly pcConfig: Readonly<Record<string, unknown>>;
  /**
   * The prepared connection is still there and fit to answer with (not closed, host not lost,
   * early ICE not failed): Answer may then send the 200 OK before the microphone opens.
   */
  usable(): boolean;
  discard(): void;
  /**
   * On Answer: opens the microphone straight onto the prepared connection, sounding or not
   * (`setEnabled` reaches it before it opens too). A port without it captures the usual way.
   */
  captureOnto?(audioDeviceId: string | undefined, enabled: boolean): CaptureOnto;
}

/** A microphone being opened onto a call. */
export type CaptureOnto = MediaCaptureOnto<CapturedStream>;

export interface CallMedia {
  /** A media host is attached and ready. */
  readonly available: boolean;
  onAvailability(listener: (available: boolean) => void): Unsubscribe;
  capture(audioDeviceId: string | undefined): Promise<CapturedStream>;
  /** Stops the host's tracks (JsSIP never stops a stream it was given). */
  release(stream: CapturedStream): void;
  switchInput(stream: CapturedStream, audioDeviceId: string): Promise<void>;
  devices(): Promise<DeviceLists>;
  setOutput(audioDeviceId: string): Promise<void>;
  /** pcConfig fields that send JsSIP's new peer connection to this media host. */
  pcConfig(): Record<string, unknown>;
  /**
   * Answers an incoming SDP offer on the host while the call rings, without a
   * microphone (nothing is sent): Answer then only has to send the 200 OK. A
   * port without it answers the usual way, everything on Answer.
   */
  prepareAnswer?(offer: string): Promise<PreparedMedia>;
  /**
   * The sound of a call, measured by the host about 5 times a second while its
   * peer connection (the session's `connection`) is connected. A port without
   * it measures nothing: the calls then have no meters.
   */
  onLevels?(listener: (connection: object, levels: SoundLevels) => void): Unsubscribe;
}
