/**
 * How many bytes a journal holds and how many of them still describe the
 * conversation (the last line of each message, of the header, of the calls):
 * the rest is superseded, and rewriting the journal as a snapshot drops it.
 */
import type { JournalEntry } from './conversation-schema.js';

/** Superseded bytes below this are not worth a rewrite, whatever the ratio. */
const MIN_WASTE_BYTES = 64 * 1024;

export class JournalSize {
  private total = 0;
  private header = 0;
  private calls = 0;
  private messageBytes = 0;
  private readonly messages: number[] = [];

  add(entry: JournalEntry, bytes: number): void {
    this.total += bytes;
    switch (entry.k) {
      case 'start':
        this.header = bytes;
        this.calls = 0;
        this.messageBytes = 0;
        this.messages.length = 0;
        break;
      case 'header':
        this.header = bytes;
        break;
      case 'calls':
        this.calls = bytes;
        break;
      case 'msg':
        this.messageBytes += bytes - (this.messages[entry.i] ?? 0);
        this.messages[entry.i] = bytes;
        break;
    }
  }

  get bytes(): number {
    return this.total;
  }

  /** About the size of a snapshot of the same state. */
  get liveBytes(): number {
    return this.header + this.calls + this.messageBytes;
  }

  /** Worth rewriting: more of it is superseded than current, by enough bytes to matter. */
  get wasteful(): boolean {
    const waste = this.total - this.liveBytes;
    return waste > this.liveBytes && waste > MIN_WASTE_BYTES;
  }
}
