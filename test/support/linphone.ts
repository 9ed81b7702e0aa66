/**
 * Linphone's console client (`linphonec`, Debian's linphone-cli) as a KW on a
 * plain SIP phone: its own config in a temp dir (HOME too, so nothing of the
 * user's is read or written), registered over UDP on loopback, no audio and
 * no video. Driven through its stdin commands; what it prints is read back
 * (`Message received from <uri>: <text>`).
 */
import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { eventually } from './agents.js';

export interface LinphoneOptions {
  readonly user: string;
  readonly displayName: string;
  readonly domain: string;
  /** Kamailio's UDP port on 127.0.0.1. */
  readonly proxyUdpPort: number;
}

export interface ReceivedText {
  readonly from: string;
  readonly text: string;
}

/** True when `linphonec` runs here (CI installs linphone-cli). */
export function linphoneAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('linphonec', ['-v'], { timeout: 5000 }, (error, stdout, stderr) =>
      resolve(error === null && /version/i.test(`${stdout}${stderr}`)),
    );
  });
}

/** A free loopback UDP port for the phone's SIP socket. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/**
 * The linphonerc: UDP only (TCP and TLS off), every request through the lab
 * proxy (`reg_route`), presence published, audio and video never started
 * (no sound card here; `-d 0` keeps its log quiet).
 */
function linphonerc(o: LinphoneOptions, sipPort: number): string {
  const proxy = `sip:127.0.0.1:${o.proxyUdpPort};transport=udp`;
  return [
    '[sip]',
    `sip_port=${sipPort}`,
    'sip_tcp_port=0',
    'sip_tls_port=0',
    'default_proxy=0',
    'use_ipv6=0',
    'register_only_when_network_is_up=0',
    '[rtp]',
    'audio_rtp_port=-1',
    'video_rtp_port=-1',
    '[sound]',
    'echocancellation=0',
    '[video]',
    'enabled=0',
    'capture=0',
    'display=0',
    'automatically_initiate=0',
    'automatically_accept=0',
    '[proxy_0]',
    `reg_proxy=<${proxy}>`,
    `reg_route=<${proxy};lr>`,
    `reg_identity="${o.displayName}" <sip:${o.user}@${o.domain}>`,
    'reg_expires=60',
    'reg_sendregister=1',
    'publish=1',
    '',
  ].join('\n');
}

const RECEIVED = /^(?:linphonec> )*Message received from (\S+): (.*)$/;

export class LinphoneKw {
  readonly received: ReceivedText[] = [];
  private output = '';

  private constructor(
    readonly uri: string,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly home: string,
  ) {
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      this.output += chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const m = RECEIVED.exec(line.trimEnd());
        if (m) this.received.push({ from: m[1] ?? '', text: m[2] ?? '' });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
  }

  /** Starts linphonec and resolves once it is registered (or rejects with its output). */
  static async start(options: LinphoneOptions, timeoutMs = 15_000): Promise<LinphoneKw> {
    const home = await mkdtemp(path.join(os.tmpdir(), 'kw-linphone-'));
    // Its chat database lives here; without the folder it logs an error at start.
    await mkdir(path.join(home, '.local', 'share', 'linphone'), { recursive: true });
    const rc = path.join(home, 'linphonerc');
    await writeFile(rc, linphonerc(options, await freeUdpPort()));
    const child = spawn('linphonec', ['-c', rc, '-d', '0'], {
      cwd: home,
      env: { ...process.env, HOME: home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const kw = new LinphoneKw(`sip:${options.user}@${options.domain}`, child, home);
    try {
      await kw.registered(timeoutMs);
    } catch (error) {
      await kw.stop();
      throw error;
    }
    return kw;
  }

  /** `chat <uri> <text>`: a text MESSAGE from the phone (one line). */
  chat(to: string, text: string): void {
    this.command(`chat ${to} ${text}`);
  }

  /** The first text from `from` (any when absent) matching `match` not seen before `after` texts. */
  async waitForText(
    match: (t: ReceivedText) => boolean,
    timeoutMs = 10_000,
    after = 0,
  ): Promise<ReceivedText> {
    let found: ReceivedText | undefined;
    await eventually(
      () => (found = this.received.slice(after).find(match)) !== undefined,
      timeoutMs,
      () => `Linphone received no such text; it got: ${JSON.stringify(this.received)}`,
    );
    return found as ReceivedText;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.command('quit');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.home, { recursive: true, force: true });
  }

  private command(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  private async registered(timeoutMs: number): Promise<void> {
    let asked = 0;
    await eventually(
      () => {
        if (this.child.exitCode !== null) throw new Error(`linphonec exited:\n${this.output.slice(-2000)}`);
        if (/registered, identity=/.test(this.output)) return true;
        // It answers `status register` with "registered, identity=…" once the REGISTER got its 200.
        if (asked++ % 10 === 0) this.command('status register');
        return false;
      },
      timeoutMs,
      () => `linphonec did not register within ${timeoutMs} ms:\n${this.output.slice(-2000)}`,
    );
  }
}
