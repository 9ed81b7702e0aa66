/**
 * The setup link's flow and what it changes (main/app/provisioning): links
 * parsed, the summary, the settings a document gives, a newer link replacing
 * one still being fetched, and refusals that change nothing.
 */
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import { DEFAULT_SETTINGS, type StoredSettings } from '../../../main/app/ports.js';
import { parseAppLink } from '../../../main/app/provisioning/setup-link.js';
import { provisionedSettings, readyView } from '../../../main/app/provisioning/provisioned-settings.js';
import { ProvisioningFlow } from '../../../main/app/provisioning/provisioning-flow.js';
import type { FetchResult } from '../../../main/core/provisioning/index.js';
import type { ProvisioningDocument } from '../../../wire/provisioning.js';
import type { ProvisioningView } from '../../../preload/contract.js';

const DOC: ProvisioningDocument = {
  kwDeskProvisioning: 1,
  servers: ['wss://sip.example.com'],
  domain: 'example.com',
  trustedRoutingPoints: ['sip:billing@example.com'],
  presence: { idleMinutes: 5 },
  ring: { sounds: false },
  updates: { enabled: false },
};

const MINE: StoredSettings = {
  ...DEFAULT_SETTINGS,
  account: { uri: 'sip:kim@example.com', authUser: 'kim1', displayName: 'Kim' },
  servers: ['wss://old.example.com'],
  startAtLogin: true,
  audioInput: 'usb-mic',
};

describe('setup links', () => {
  it('kwdesk://provision?url= gives the https address; sip:/tel: are addresses; anything else is unknown', () => {
    const url = 'https://prov.example.com/kw/kim.json?x=1';
    expect(parseAppLink(`kwdesk://provision?url=${encodeURIComponent(url)}`)).toEqual({
      kind: 'provision',
      url,
    });
    expect(parseAppLink('KWDESK://Provision?url=https%3A%2F%2Fa')).toEqual({
      kind: 'provision',
      url: 'https://a',
    });
    expect(parseAppLink('kwdesk://other?url=https%3A%2F%2Fa')).toEqual({ kind: 'unknown' });
    expect(parseAppLink('kwdesk://provision')).toEqual({ kind: 'unknown' });
    expect(parseAppLink('sip:Alex@Example.com;transport=ws')).toEqual({
      kind: 'dial',
      address: 'sip:Alex@Example.com;transport=ws',
      aor: 'sip:alex@example.com',
    });
    expect(parseAppLink('tel:+3312345678')).toEqual({ kind: 'dial', address: 'tel:+3312345678' });
    expect(parseAppLink('https://example.com')).toEqual({ kind: 'unknown' });
    expect(parseAppLink(`sip:${'a'.repeat(5000)}@x`)).toEqual({ kind: 'unknown' });
  });

  it("a document sets servers, trust, presence, ring, CAs and updates; the KW's devices and login item stay", () => {
    const next = provisionedSettings(MINE, { ...DOC, account: { uri: 'sip:kim@example.com' } }, {});
    expect(next).toEqual({
      ...MINE,
      account: { uri: 'sip:kim@example.com', authUser: '', displayName: 'Kim' },
      servers: ['wss://sip.example.com'],
      trustedRoutingPoints: ['sip:billing@example.com'],
      idleMinutes: 5,
      sounds: false,
      extraCaCertificates: [],
      updates: { enabled: false },
    });
  });

  it('another account: its own display name (none when the document gives none); the typed address and exchanged auth user', () => {
    const next = provisionedSettings(MINE, DOC, { uri: 'sip:lee@example.com', authUser: 'lee-auth' });
    expect(next.account).toEqual({ uri: 'sip:lee@example.com', authUser: 'lee-auth', displayName: '' });
  });

  it('the summary says which signed-in account it replaces', () => {
    const doc = { ...DOC, account: { uri: 'sip:lee@example.com', displayName: 'Lee' } };
    expect(readyView('prov.example.com', doc, MINE)).toEqual({
      state: 'ready',
      host: 'prov.example.com',
      account: { uri: 'sip:lee@example.com', displayName: 'Lee' },
      domain: 'example.com',
      servers: ['wss://sip.example.com'],
      trustedRoutingPoints: ['sip:billing@example.com'],
      signsInWithCode: false,
      replacesAccount: 'sip:kim@example.com',
    });
    expect(readyView('p', doc, DEFAULT_SETTINGS)).not.toHaveProperty('replacesAccount');
  });
});

function flow(fetchDocument: (url: string) => Promise<FetchResult>, failCommit?: string) {
  const views: ProvisioningView[] = [];
  const commits: Array<{ next: StoredSettings; password: string }> = [];
  const f = new ProvisioningFlow({
    fetchDocument,
    exchangeToken: () => Promise.reject(new Error('no exchange here')),
    current: () => DEFAULT_SETTINGS,
    commit: (next, password) => {
      if (failCommit !== undefined) return Promise.reject(new Error(failCommit));
      commits.push({ next, password });
      return Promise.resolve();
    },
    emit: (v) => views.push(v),
    logger: memoryLogger('warn').logger,
  });
  return { f, views, commits };
}

describe('the flow', () => {
  it('a newer link replaces one still being fetched: the older result is dropped', async () => {
    let releaseFirst: (r: FetchResult) => void = () => undefined;
    const { f, views } = flow((url) =>
      url.includes('first')
        ? new Promise<FetchResult>((resolve) => (releaseFirst = resolve))
        : Promise.resolve({ ok: true, document: { ...DOC, domain: 'second.example.com' } }),
    );
    const first = f.open('https://prov.example.com/first.json');
    await f.open('https://prov.example.com/second.json');
    releaseFirst({ ok: true, document: DOC });
    await first;
    expect(f.view()).toMatchObject({ state: 'ready', domain: 'second.example.com' });
    expect(views.map((v) => v.state)).toEqual(['fetching', 'fetching', 'ready']);
  });

  it('not https: failed at once, nothing fetched', async () => {
    const fetched: string[] = [];
    const { f } = flow((url) => {
      fetched.push(url);
      return Promise.resolve({ ok: true, document: DOC });
    });
    expect(await f.open('http://prov.example.com/kim.json')).toEqual({
      state: 'failed',
      host: '',
      sentence: 'This setup link is not an https:// address.',
    });
    expect(fetched).toEqual([]);
  });

  it('a document without an account needs an address in its domain and a password; refusals keep it ready, commit nothing', async () => {
    const { f, commits } = flow(() => Promise.resolve({ ok: true, document: DOC }));
    await f.open('https://prov.example.com/team.json');
    await expect(f.apply({ password: 'pw' })).rejects.toThrow('Enter your SIP address.');
    await expect(f.apply({ uri: 'sip:kim@elsewhere.com', password: 'pw' })).rejects.toThrow(
      'Your SIP address must end in @example.com.',
    );
    await expect(f.apply({ uri: 'sip:kim@example.com' })).rejects.toThrow('Enter your password.');
    expect(f.view().state).toBe('ready');
    expect(commits).toEqual([]);
    await f.apply({ uri: 'sip:kim@example.com', password: 'pw' });
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatchObject({ password: 'pw', next: { account: { uri: 'sip:kim@example.com' } } });
    expect(f.view()).toEqual({ state: 'idle' });
  });

  it('a commit that fails keeps the link ready and says why', async () => {
    const { f } = flow(
      () => Promise.resolve({ ok: true, document: { ...DOC, account: { uri: 'sip:k@example.com' } } }),
      'the settings file could not be written; nothing was changed',
    );
    await f.open('https://prov.example.com/k.json');
    await expect(f.apply({ password: 'pw' })).rejects.toThrow('nothing was changed');
    expect(f.view().state).toBe('ready');
  });
});
