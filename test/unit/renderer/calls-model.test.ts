import { describe, expect, it } from 'vitest';
import type { CallView } from '../../../preload/contract.js';
import {
  callPhaseKey,
  currentCall,
  deviceOptions,
  formatDuration,
  otherCalls,
  partyName,
  ringingCalls,
  talkTime,
} from '../../../renderer/shared/model.js';
import { summarizeStats } from '../../../renderer/media/stats.js';

const party = { uri: 'sip:a@lab.local', displayName: 'A' };
function call(id: string, patch: Partial<CallView> = {}): CallView {
  return {
    callId: id,
    direction: 'incoming',
    phase: 'ringing',
    remote: party,
    participants: [party],
    muted: false,
    held: false,
    remoteHeld: false,
    offeredAt: 1000,
    dtmf: '',
    waiting: false,
    ...patch,
  };
}

describe('calls in the renderer model', () => {
  it('orders ringing calls oldest first', () => {
    const list = [
      call('b', { offeredAt: 2000 }),
      call('a', { offeredAt: 1000 }),
      call('c', { phase: 'active' }),
    ];
    expect(ringingCalls(list).map((c) => c.callId)).toEqual(['a', 'b']);
  });

  it('shows the call not on hold; the others wait on hold', () => {
    const held = call('held', { phase: 'active', held: true, answeredAt: 5000 });
    const talking = call('talking', { phase: 'active', answeredAt: 3000 });
    const list = [held, talking, call('ringing')];
    expect(currentCall(list)?.callId).toBe('talking');
    expect(otherCalls(list, currentCall(list)).map((c) => c.callId)).toEqual(['held']);
  });

  it('falls back to the latest held call, then to an answered call that just ended (never a declined ring)', () => {
    expect(currentCall([call('h', { phase: 'active', held: true, answeredAt: 1 })])?.callId).toBe('h');
    expect(currentCall([call('declined', { phase: 'ended', endedAt: 5 })])).toBeNull();
    expect(currentCall([call('e', { phase: 'ended', answeredAt: 1, endedAt: 5 })])?.callId).toBe('e');
  });

  it('formats talk time', () => {
    expect(formatDuration(7_400)).toBe('0:07');
    expect(formatDuration(754_000)).toBe('12:34');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(talkTime(call('x'), 10_000)).toBe(0);
    expect(talkTime(call('x', { answeredAt: 1000, endedAt: 4000 }), 99_000)).toBe(3000);
  });

  it('names phases and parties', () => {
    expect(callPhaseKey(call('x', { phase: 'active', held: true, remoteHeld: true }))).toBe('held');
    expect(callPhaseKey(call('x', { phase: 'active', remoteHeld: true }))).toBe('remote-held');
    expect(partyName({ uri: 'sips:bob@x', displayName: ' ' })).toBe('bob@x');
  });

  it('lists devices with the system default first, without Chromium’s own default entries', () => {
    const options = deviceOptions(
      [
        { deviceId: 'default', label: 'Default - Mic' },
        { deviceId: 'abc', label: '' },
      ],
      'Microphone',
    );
    expect(options).toEqual([
      { value: '', label: 'System default' },
      { value: 'abc', label: 'Microphone 1' },
    ]);
  });
});

describe('media host stats', () => {
  it('sums audio RTP both ways, keeps the highest level and the RTT of the pair in use', () => {
    expect(
      summarizeStats([
        { type: 'inbound-rtp', kind: 'audio', packetsReceived: 10, audioLevel: 0.2 },
        { type: 'inbound-rtp', kind: 'audio', packetsReceived: 5, audioLevel: 0.4 },
        { type: 'inbound-rtp', kind: 'video', packetsReceived: 99 },
        { type: 'outbound-rtp', kind: 'audio', packetsSent: 7 },
        { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.0123 },
        { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.5 },
        null,
      ]),
    ).toEqual({ packetsReceived: 15, packetsSent: 7, audioLevel: 0.4, roundTripTimeMs: 12.3 });
    expect(summarizeStats([])).toEqual({ packetsReceived: 0, packetsSent: 0, audioLevel: 0 });
  });
});
