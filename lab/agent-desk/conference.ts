/**
 * The conference is mixed on the agent's side (docs/design.md §5) with WebAudio:
 *   to the expert:   agent's voice + customer
 *   to the customer: agent's voice + expert
 *   the agent hears both through the two <audio> elements.
 * Muting the agent (disabling the voice track) silences it in both mixes.
 */
import { audioContext } from '../web/client/audio.js';

export class ConferenceMix {
  /** What the expert's leg sends. */
  readonly toExpert: MediaStream;
  private readonly voice: MediaStreamAudioSourceNode;
  private readonly nodes: AudioNode[] = [];

  constructor(voice: MediaStream, customer: MediaStream) {
    const ctx = audioContext();
    this.voice = ctx.createMediaStreamSource(voice);
    const customerIn = ctx.createMediaStreamSource(customer);
    const out = ctx.createMediaStreamDestination();
    this.voice.connect(out);
    customerIn.connect(out);
    this.nodes.push(this.voice, customerIn, out);
    this.toExpert = out.stream;
  }

  /** The expert answered: returns the track the customer's leg must send from now on. */
  expertJoined(expert: MediaStream): MediaStreamTrack | undefined {
    const ctx = audioContext();
    const expertIn = ctx.createMediaStreamSource(expert);
    const out = ctx.createMediaStreamDestination();
    this.voice.connect(out);
    expertIn.connect(out);
    this.nodes.push(expertIn, out);
    return out.stream.getAudioTracks()[0];
  }

  close(): void {
    for (const node of this.nodes) node.disconnect();
    for (const track of this.toExpert.getTracks()) track.stop();
  }
}
