/**
 * The world of a call test with the real KW Desktop UI: a lab SIP server, the
 * router, the KW Desktop (kw1) in the browser harness with its media host in
 * the main page, and the lab's web pages (agent desk, customer simulator).
 * Used by the e2e call tests and the call benchmark; Playwright pages are
 * opened by the caller.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import type { Logger } from '../../main/core/log.js';
import { startHarnessKw, type HarnessKw } from '../../main/harness/compose.js';
import type { RunningRouter } from '../../router/index.js';
import { startLabWeb, type LabWeb } from '../../lab/web/server.js';
import { labServer, type ServerUnderTest } from './servers.js';
import { FAST_AGENT, startTestRouter, type RawRoutingPoint } from './test-router.js';
import { writeToneWav } from './tone-wav.js';
import { LAB_WEB_BUILT_ENV } from './e2e-global-setup.js';

/** Who speaks at which frequency: each party's voice is a tone, so the far end can tell who it hears. */
export const TONES = { customer: 440, agent: 660, kw: 880 } as const;

export const RP = 'sip:billing@lab.local';
export const KW_URI = 'sip:kw1@lab.local';
export const AGENT_URI = 'sip:agent1@lab.local';
export const CUSTOMER_URI = 'sip:customer@lab.local';

/** Chromium flags for calls: fake devices, the KW's microphone is the KW tone, audio plays without a gesture. */
export async function callChromiumArgs(): Promise<string[]> {
  const wav = await writeToneWav(join(await mkdtemp(join(tmpdir(), 'kw-tone-')), 'kw.wav'), TONES.kw);
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
    '--autoplay-policy=no-user-gesture-required',
    // The lab pages send oscillator tones without getUserMedia: without this, host candidates hide behind mDNS.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
  ];
}

/** Builds the lab's pages, unless the e2e global setup built them for every worker already. */
export function buildLabWeb(): void {
  if (process.env[LAB_WEB_BUILT_ENV]) return;
  const built = spawnSync(process.execPath, ['scripts/build-lab-web.mjs'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build-lab-web failed: ${built.stderr}`);
}

export interface CallLab {
  readonly sip: ServerUnderTest;
  readonly router: RunningRouter;
  readonly kw: HarnessKw;
  readonly web: LabWeb;
  /** The KW's main page URL, microphone processing off (the tone must arrive as a tone). */
  readonly kwMainUrl: string;
  readonly kwCallUrl: string;
  labUrl(path: 'agent' | 'customer', params: Record<string, string>): string;
  close(): Promise<void>;
}

export async function startCallLab(
  logger: Logger,
  options: { ringTimeoutMs?: number; routingPoint?: Partial<RawRoutingPoint> } = {},
): Promise<CallLab> {
  const sip = await labServer.start({ logger });
  const router = await startTestRouter(
    sip.url,
    [
      {
        uri: 'billing',
        strategy: 'round-robin',
        members: [{ uri: 'kw1', displayName: 'Kim Expert' }],
        previewTimeoutSeconds: 15,
        waitForAvailableSeconds: 2,
        ...options.routingPoint,
      } as RawRoutingPoint,
    ],
    logger,
  );
  const kw = await startHarnessKw({
    account: { uri: KW_URI, displayName: 'Kim Expert' },
    servers: [sip.url],
    trustedRoutingPoints: ['sip:billing@lab.local'],
    historyDir: await mkdtemp(join(tmpdir(), 'kw-calls-')),
    logger,
    agentOptions: FAST_AGENT,
    ...(options.ringTimeoutMs ? { ringTimeoutMs: options.ringTimeoutMs } : {}),
  });
  const web = await startLabWeb({ port: 0 });
  return {
    sip,
    router,
    kw,
    web,
    kwMainUrl: `${kw.harness.mainUrl}?processing=off`,
    kwCallUrl: `${kw.harness.url}/call.html`,
    labUrl: (path, params) => `${web.url}/${path}/?${new URLSearchParams({ server: sip.url, ...params })}`,
    close: async () => {
      // Together: each graceful SIP stop waits ~2 s for JsSIP's transactions; the server goes last.
      await Promise.allSettled([web.close(), kw.close(), router.close()]);
      await sip.close().catch(() => undefined);
    },
  };
}

/**
 * What the KW hears: the energy (dBFS) at each frequency in the remote audio
 * the media host plays, measured with a WebAudio analyser on the streams of
 * its `<audio>` elements (the element's own volume does not matter).
 */
export async function kwHears(page: Page, frequencies: readonly number[]): Promise<Record<number, number>> {
  // Runs in the page (a string: the test project has no DOM types). -Infinity = no audio at all.
  const result = await page.evaluate(`(async (freqs) => {
    const streams = [...document.querySelectorAll('audio')]
      .map((a) => a.srcObject)
      .filter((s) => s instanceof MediaStream && s.getAudioTracks().some((t) => t.readyState === 'live'));
    const out = {};
    for (const f of freqs) out[f] = -1000;
    if (streams.length === 0) return out;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    for (const s of streams) ctx.createMediaStreamSource(s).connect(analyser);
    await new Promise((r) => setTimeout(r, 400));
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    const hzPerBin = ctx.sampleRate / analyser.fftSize;
    for (const f of freqs) {
      const center = Math.round(f / hzPerBin);
      let best = -1000;
      for (let i = center - 3; i <= center + 3; i++) if (Number.isFinite(bins[i])) best = Math.max(best, bins[i]);
      out[f] = best;
    }
    await ctx.close();
    return out;
  })(${JSON.stringify(frequencies)})`);
  return result as Record<number, number>;
}

/** A tone counts as heard above this level (the lab pages use the same threshold). */
export const HEARD_DB = -50;
