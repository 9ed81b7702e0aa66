/** Shared test data for the Electron shell's unit tests. */
import type { CommandHandlers } from '../../../main/app/kw-app.js';
import type {
  AppSnapshot,
  CallView,
  DevicesView,
  PreviewView,
  StatusView,
} from '../../../preload/contract.js';
import type { EffectiveState, ManualState } from '../../../wire/presence/manual-states.js';

export function status(
  manual: ManualState = 'available',
  effective: EffectiveState = manual,
  phase: StatusView['connection']['phase'] = 'registered',
  previews: PreviewView[] = [],
): StatusView {
  return {
    connection: { phase, text: phase === 'registered' ? 'Signed in' : 'Connecting…' },
    presence: { manual, effective, published: phase === 'registered' },
    routable: { routable: effective === 'available', explanation: '' },
    account: { uri: 'sip:kw1@lab.local', displayName: 'Kim Expert' },
    previews,
    history: { saving: true },
    signIn: false,
  };
}

export function preview(id: string, subject = 'Invoice dispute'): PreviewView {
  return {
    interactionId: id,
    agent: { uri: 'sip:agent1@lab.local', displayName: 'Alex Agent' },
    routingPoint: 'sip:billing@lab.local',
    subject,
    text: 'Customer disputes invoice 42',
    userData: { CaseNumber: '42' },
    expiresAt: '2026-11-24T10:00:30.000Z',
    receivedAt: '2026-11-24T10:00:00.000Z',
  };
}

export const SNAPSHOT: AppSnapshot = {
  status: status(),
  conversations: [],
  calls: [],
  requests: { entries: [], unseen: 0 },
  provisioning: { state: 'idle' },
};

/** A call as the renderer sees it (an escalated transfer by default). */
export function callView(
  id: string,
  phase: CallView['phase'] = 'ringing',
  extra: Partial<CallView> = {},
): CallView {
  return {
    callId: id,
    direction: 'incoming',
    phase,
    remote: { uri: 'sip:customer@lab.local', displayName: 'Casey Customer' },
    participants: [{ uri: 'sip:customer@lab.local', displayName: 'Casey Customer' }],
    muted: false,
    held: false,
    remoteHeld: false,
    offeredAt: 1_700_000_000_000,
    dtmf: '',
    waiting: false,
    ...extra,
  };
}

const DEVICES: DevicesView = { inputs: [], outputs: [], input: '', output: '', available: false };

/** KwApp-shaped handlers that record their calls. */
export function recordingHandlers(): {
  handlers: CommandHandlers;
  calls: Array<{ name: string; input: unknown }>;
} {
  const calls: Array<{ name: string; input: unknown }> = [];
  const rec =
    <T>(name: string, value: T) =>
    (input: unknown): Promise<T> => {
      calls.push({ name, input });
      return Promise.resolve(value);
    };
  const handlers: CommandHandlers = {
    'app.ready': rec('app.ready', SNAPSHOT),
    'connection.retry': rec('connection.retry', null),
    'presence.set': rec('presence.set', null),
    'previews.accept': rec('previews.accept', null),
    'previews.decline': rec('previews.decline', null),
    'previews.seen': rec('previews.seen', null),
    'chats.send': rec('chats.send', null),
    'chats.retry': rec('chats.retry', null),
    'chats.typing': rec('chats.typing', null),
    'chats.end': rec('chats.end', null),
    'chats.open': (input) => {
      calls.push({ name: 'chats.open', input });
      return Promise.reject(new Error('no such conversation'));
    },
    'provisioning.open': rec('provisioning.open', { state: 'idle' as const }),
    'provisioning.apply': rec('provisioning.apply', null),
    'provisioning.cancel': rec('provisioning.cancel', null),
    'settings.get': rec('settings.get', {
      account: { uri: 'sip:kw1@lab.local', authUser: '', displayName: 'Kim', hasPassword: false },
      servers: ['ws://127.0.0.1:5080'],
      idleMinutes: 10,
      startAtLogin: false,
      sounds: true,
      trustedRoutingPoints: ['sip:billing@lab.local'],
      locked: [],
      globalShortcuts: null,
    }),
    'settings.save': (input) => {
      calls.push({ name: 'settings.save', input });
      return Promise.reject(new Error('not in this test'));
    },
    'links.open': rec('links.open', null),
    'calls.answer': rec('calls.answer', null),
    'calls.decline': rec('calls.decline', null),
    'calls.hangup': rec('calls.hangup', null),
    'calls.mute': rec('calls.mute', null),
    'calls.hold': rec('calls.hold', null),
    'calls.dtmf': rec('calls.dtmf', null),
    'history.export': rec('history.export', { kind: 'canceled' as const }),
    'history.keepAside': rec('history.keepAside', null),
    'app.quit': rec('app.quit', null),
    'devices.list': rec('devices.list', DEVICES),
    'devices.select': rec('devices.select', DEVICES),
    'requests.markSeen': rec('requests.markSeen', null),
    'windows.showMain': rec('windows.showMain', null),
  };
  return { handlers, calls };
}
