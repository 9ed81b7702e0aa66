/**
 * The call meters through the real chain, without a browser: a caller (a
 * SipAgent with its own bridge and Node media host, 440 Hz) calls the KW core
 * (its bridge and Node media host, 1000 Hz) over the lab SIP server; the KW
 * answers. The KW host measures what it sends and receives and reports
 * `levels`; the core passes them on per call, at most 5 a second, and flags
 * a silent microphone only on an active, unmuted call.
 */
import { describe, expect, it } from 'vitest';
import type { RTCSession } from 'jssip/lib/RTCSession';
import { memoryLogger, type Logger } from '../../main/core/log.js';
import { SILENT_DEVICE } from '../../lab/node-media/node-media-host.js';
import type { CallLevels } from '../../main/core/calls/call-state.js';
import { MIC_SILENCE_MS } from '../../main/core/calls/call-levels.js';
import { labServer } from '../support/servers.js';
import { cleanupAfterEach } from '../support/cleanup.js';
import { startNodeMedia } from '../support/node-media.js';
import { createTestAgent, eventually, startRegistered, withDeadline } from '../support/agents.js';
import { startKw } from '../support/kw-desk.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('call levels: Node media hosts over the lab SIP server', () => {
  const later = cleanupAfterEach();

  async function media(name: string, toneHz: number, logger: Logger) {
    return (await startNodeMedia(name, toneHz, logger, later)).bridge;
  }

  it('levels both ways while talking; 0 in while muted, never flagged; a dead microphone is flagged after 5 s; nothing after the end', async () => {
    const { logger } = memoryLogger('warn');
    const s = await labServer.start({ logger });
    later(() => s.close());
    // Both media hosts first: each SIP client stops before its host closes, and the clients stop together.
    const kwBridge = await media('kw1', 1000, logger);
    const phoneBridge = await media('caller', 440, logger);
    const kw = await startKw(s, 'kw1', logger, { trustedRoutingPoints: [], media: kwBridge });
    later.peer(() => kw.stop());
    const phone = createTestAgent(s, 'customer', { logger });
    later.peer(() => phone.stop(1500));
    await startRegistered(phone);

    const levels: (CallLevels & { at: number })[] = [];
    kw.core.calls.on('levels', (l) => levels.push({ ...l, at: Date.now() }));
    const last = () => levels.at(-1);
    const ringing = kw.core.calls.once('changed', (calls) => calls.some((c) => c.phase === 'ringing'));
    const stream = await phoneBridge.capture();
    const session: RTCSession = phone.call(kw.uri, { mediaStream: stream, pcConfig: phoneBridge.pcConfig() });
    session.on('ended', () => phoneBridge.release(stream));
    const callId = (await withDeadline(ringing, 10_000, () => 'the KW never rang'))[0]?.callId ?? '';
    await kw.core.calls.answer(callId);
    await eventually(
      () => kw.core.calls.list()[0]?.phase === 'active',
      10_000,
      () => 'the call never became active',
    );

    // Talking: the 0.3 sine each way is an RMS of about 0.21.
    await eventually(
      () => (last()?.input ?? 0) > 0.15 && (last()?.output ?? 0) > 0.15,
      10_000,
      () => `no sound both ways: ${JSON.stringify(last())}`,
    );
    expect(levels.every((l) => l.callId === callId)).toBe(true);
    const from = Date.now();
    await sleep(2000);
    const inTwoSeconds = levels.filter((l) => l.at >= from).length;
    expect(inTwoSeconds).toBeGreaterThanOrEqual(6);
    expect(inTwoSeconds).toBeLessThanOrEqual(11);

    // Muted: nothing goes in, the far end is still heard, and no warning however long it lasts.
    kw.core.calls.mute(callId, true);
    await eventually(
      () => last()?.input === 0 && (last()?.output ?? 0) > 0.15,
      5000,
      () => `muted, yet ${JSON.stringify(last())}`,
    );
    const mutedFrom = levels.length;
    await sleep(MIC_SILENCE_MS + 1500);
    expect(levels.slice(mutedFrom).every((l) => l.input === 0 && !l.inputSilent)).toBe(true);
    kw.core.calls.mute(callId, false);
    await eventually(
      () => (last()?.input ?? 0) > 0.15,
      5000,
      () => 'unmuted, still silent',
    );

    // A dead microphone on an unmuted call: flagged after about 5 s, not before.
    await kw.core.calls.selectDevices({ input: SILENT_DEVICE });
    await eventually(
      () => last()?.input === 0,
      5000,
      () => 'the dead microphone still sends sound',
    );
    const silentFrom = Date.now();
    await eventually(
      () => last()?.inputSilent === true,
      MIC_SILENCE_MS + 3000,
      () => 'a dead microphone was never flagged',
    );
    expect(Date.now() - silentFrom).toBeGreaterThanOrEqual(MIC_SILENCE_MS - 1000);
    await kw.core.calls.selectDevices({ input: 'tone:1000' });
    await eventually(
      () => last()?.inputSilent === false && (last()?.input ?? 0) > 0.15,
      5000,
      () => 'the flag stayed after the microphone came back',
    );

    session.terminate();
    await eventually(
      () => kw.core.calls.list()[0]?.phase === 'ended',
      5000,
      () => 'the KW never saw the call end',
    );
    const atEnd = levels.length;
    await sleep(1500);
    expect(levels.length).toBe(atEnd);
  }, 60_000);
});
