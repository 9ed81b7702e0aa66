/**
 * The load generator's own WebSocket client (RFC 6455) over one TCP socket,
 * because the cost of a message is the generator's limit on 2 cores: frames
 * are written straight into an outbox buffer and everything written during
 * one tick leaves in one socket write (one syscall, not one per frame); frames
 * read are handed on as byte ranges of the chunk read, never copied or
 * decoded. Text frames only, no extensions, no fragmentation (a server that
 * fragments is refused): SIP over WebSocket (RFC 7118) needs neither.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

/** Who gets what the socket reads. */
export interface FrameSink {
  /** One whole text (or binary) frame: its payload is `buf[start, end)`, valid during the call only. */
  frame(buf: Buffer, start: number, end: number): void;
  /** The connection is gone (closed by either side, or an error). */
  closed(): void;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Room for the longest header this client writes: 2 bytes + 16-bit length + mask. */
const HEADER_MAX = 8;
const OUTBOX_BYTES = 64 * 1024;
const MAX_FRAME = 0xffff;

export class LoadSocket {
  private readonly socket: net.Socket;
  /** Frames are appended here; a region once written to the socket is never overwritten. */
  private out = Buffer.allocUnsafe(OUTBOX_BYTES);
  private flushedTo = 0;
  private writeAt = 0;
  private flushQueued = false;
  private readonly flushSoon = (): void => this.flush();
  private partial: Buffer | undefined;
  private upgraded = false;
  private isOpen = false;
  /** Resolves when the handshake is done; rejects if it fails. */
  readonly opened: Promise<void>;

  constructor(
    url: string,
    protocol: string,
    private readonly sink: FrameSink,
  ) {
    const u = new URL(url);
    if (u.protocol !== 'ws:') throw new Error(`load socket: ws:// only (got ${url})`);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    this.socket = net.connect(Number(u.port || 80), u.hostname);
    this.socket.setNoDelay(true);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('connect', () =>
        this.socket.write(
          `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
            `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
        ),
      );
      this.socket.on('data', (chunk: Buffer) => {
        if (this.upgraded) return this.read(chunk);
        const head = this.handshake(chunk, accept, protocol);
        if (head instanceof Error) {
          reject(head);
          this.socket.destroy();
        } else if (head !== undefined) {
          this.isOpen = true;
          resolve();
          if (head.length > 0) this.read(head);
        }
      });
      this.socket.once('error', reject);
      this.socket.on('error', () => undefined); // reported as 'close'
      this.socket.once('close', () => {
        reject(new Error('load socket: closed during the handshake'));
        this.isOpen = false;
        if (this.upgraded) this.sink.closed();
      });
    });
  }

  get open(): boolean {
    return this.isOpen;
  }

  /** The outbox: write a frame's payload at the offset `reserve` returned, then `commit` its length. */
  get buffer(): Buffer {
    return this.out;
  }

  /** Makes room for a payload of at most `maxPayload` bytes; returns where to write it in `buffer`. */
  reserve(maxPayload: number): number {
    if (maxPayload > MAX_FRAME) throw new Error(`load socket: a ${maxPayload}-byte frame is too long`);
    if (this.writeAt + HEADER_MAX + maxPayload > this.out.length) {
      this.flush();
      this.out = Buffer.allocUnsafe(Math.max(OUTBOX_BYTES, HEADER_MAX + maxPayload));
      this.flushedTo = 0;
      this.writeAt = 0;
    }
    return this.writeAt + HEADER_MAX;
  }

  /**
   * Frames the payload written at the reserved offset (FIN + text, masked with
   * a zero key: the generator talks to a server on loopback, with no proxy to
   * protect, so XOR-ing every byte buys nothing) and queues it for this tick's write.
   */
  commit(payloadLength: number, opcode = 0x1): void {
    const out = this.out;
    let at = this.writeAt;
    const payload = at + HEADER_MAX;
    if (payloadLength < 126) {
      at += 2; // a 6-byte header: start the frame 2 bytes later
      out[at + 1] = 0x80 | payloadLength;
    } else {
      out[at + 1] = 0x80 | 126;
      out.writeUInt16BE(payloadLength, at + 2);
    }
    out[at] = 0x80 | opcode;
    out.writeUInt32BE(0, payload - 4);
    if (at !== this.writeAt) out.copyWithin(this.writeAt, at, payload + payloadLength);
    this.writeAt += payload + payloadLength - at;
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushSoon);
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.writeAt === this.flushedTo || !this.isOpen) return;
    this.socket.write(this.out.subarray(this.flushedTo, this.writeAt));
    this.flushedTo = this.writeAt;
  }

  /** The bytes after a valid 101 answer; undefined while incomplete; an Error if refused. */
  private handshake(chunk: Buffer, accept: string, protocol: string): Buffer | Error | undefined {
    const all = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) {
      this.partial = all;
      return undefined;
    }
    this.partial = undefined;
    const head = all.toString('latin1', 0, end);
    if (!/^HTTP\/1\.1 101 /.test(head)) return new Error(`load socket: ${head.split('\r\n')[0]}`);
    const got = /^sec-websocket-accept:\s*(\S+)/im.exec(head)?.[1];
    if (got !== accept) return new Error('load socket: wrong Sec-WebSocket-Accept');
    const chosen = /^sec-websocket-protocol:\s*(\S+)/im.exec(head)?.[1];
    if (chosen !== protocol) return new Error(`load socket: the server did not choose ${protocol}`);
    this.upgraded = true;
    return all.subarray(end + 4);
  }

  /** Hands every whole frame in `chunk` (after what was left over) to the sink. */
  private read(chunk: Buffer): void {
    const buf = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let p = 0;
    while (p + 2 <= buf.length) {
      const b0 = buf[p] ?? 0;
      const b1 = buf[p + 1] ?? 0;
      let length = b1 & 0x7f;
      let start = p + 2;
      if (length === 126) {
        if (start + 2 > buf.length) break;
        length = buf.readUInt16BE(start);
        start += 2;
      } else if (length === 127) {
        if (start + 8 > buf.length) break;
        length = Number(buf.readBigUInt64BE(start));
        start += 8;
      }
      if ((b1 & 0x80) !== 0 || (b0 & 0x80) === 0 || (b0 & 0x0f) === 0) {
        this.close(); // a masked or fragmented frame from the server: not supported here
        return;
      }
      const end = start + length;
      if (end > buf.length) break;
      this.control(b0 & 0x0f, buf, start, end);
      p = end;
    }
    if (p < buf.length) this.partial = Buffer.from(buf.subarray(p));
  }

  private control(opcode: number, buf: Buffer, start: number, end: number): void {
    if (opcode === 0x1 || opcode === 0x2) this.sink.frame(buf, start, end);
    else if (opcode === 0x8) this.close();
    else if (opcode === 0x9) {
      const at = this.reserve(end - start);
      buf.copy(this.out, at, start, end);
      this.commit(end - start, 0xa); // pong
    }
  }
}
