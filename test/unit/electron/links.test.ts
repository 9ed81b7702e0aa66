import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../main/core/log.js';
import {
  linkForLog,
  linksFromArgv,
  MAX_LINK_LENGTH,
  provisionLink,
  readArgv,
} from '../../../main/electron/argv-links.js';
import { claimSingleInstance } from '../../../main/electron/single-instance.js';
import { PendingLinks } from '../../../main/electron/pending-links.js';
import { PROTOCOL_SCHEMES, registerProtocolClients } from '../../../main/electron/protocol-client.js';
import { fakeEvent, FakeApp } from './fake-electron.js';

const DOC = 'https://prov.example.com/kw/kim.json';
const DOC_LINK = `kwdesk://provision?url=${encodeURIComponent(DOC)}`;
/** What Chromium adds to a second start's argv (electron/electron#20322, #32933). */
const CHROMIUM = ['--allow-file-access-from-files', '--original-process-start-time=13213718723637733'];

describe('links from a command line', () => {
  it('takes sip:, sips: and tel: addresses as they are, in order', () => {
    expect(
      linksFromArgv(['/opt/kw', '--hidden', 'sip:kim@example.com', 'tel:+4912345', 'https://x', 'sips:a@b']),
    ).toEqual(['sip:kim@example.com', 'tel:+4912345', 'sips:a@b']);
  });

  it('--provision URL becomes the provisioning link, with the URL encoded', () => {
    expect(provisionLink(DOC)).toBe('kwdesk://provision?url=https%3A%2F%2Fprov.example.com%2Fkw%2Fkim.json');
    expect(linksFromArgv(['/opt/kw', '--provision', DOC])).toEqual([DOC_LINK]);
    expect(linksFromArgv(['/opt/kw', `--provision=${DOC}`])).toEqual([DOC_LINK]);
  });

  it('a kwdesk://provision link is taken in its one form, with or without a slash after the host', () => {
    expect(linksFromArgv([`kwdesk://provision?url=${DOC}`])).toEqual([DOC_LINK]);
    expect(linksFromArgv([DOC_LINK])).toEqual([DOC_LINK]);
    expect(linksFromArgv([`kwdesk://provision/?url=${encodeURIComponent(DOC)}`])).toEqual([DOC_LINK]);
    expect(linksFromArgv([`KWDESK://provision?url=${encodeURIComponent(DOC)}`])).toEqual([DOC_LINK]);
  });

  it('Windows: a link the OS passed quoted arrives unquoted, after the executable', () => {
    // The registry command is `"C:\…\KW Desktop.exe" "%1"`: the quotes are gone in argv.
    const argv = ['C:\\Users\\kim\\AppData\\Local\\Programs\\KW Desktop\\KW Desktop.exe', DOC_LINK];
    expect(linksFromArgv(argv)).toEqual([DOC_LINK]);
    expect(linksFromArgv(['C:\\KW\\KW Desktop.exe', 'tel:+49 30 1234'])).toEqual([]);
  });

  it("a second start's argv with Chromium's switches anywhere, even between --provision and its URL", () => {
    const argv = ['/opt/kw/kw-desktop', '--provision', ...CHROMIUM, DOC, 'sip:kim@example.com'];
    expect(linksFromArgv(argv)).toEqual([DOC_LINK, 'sip:kim@example.com']);
    expect(linksFromArgv(['/opt/kw/kw-desktop', ...CHROMIUM, 'tel:+4912345', '--hidden'])).toEqual([
      'tel:+4912345',
    ]);
  });

  it('ignores anything else, and says which link-like arguments it ignored', () => {
    const argv = [
      '/opt/kw',
      'kwdesk://provision?url=http://prov.example.com/kim.json', // not https
      'kwdesk://settings?url=https://prov.example.com/kim.json', // not provision
      'kwdesk://provision?file=kim.json', // no url
      '--provision',
      'http://prov.example.com/kim.json',
      'sip:', // nothing after the scheme
      'javascript:alert(1)',
      'https://prov.example.com/kim.json',
      'file:///etc/passwd',
      '--provision', // no value at all
    ];
    const { links, ignored } = readArgv(argv);
    expect(links).toEqual([]);
    expect(ignored).toEqual([
      'kwdesk://provision?url=http://prov.example.com/kim.json',
      'kwdesk://settings?url=https://prov.example.com/kim.json',
      'kwdesk://provision?file=kim.json',
      '--provision http://prov.example.com/kim.json',
      'sip:',
      '--provision (no URL)',
    ]);
  });

  it('refuses links over 2048 characters and links with whitespace', () => {
    const long = `sip:${'a'.repeat(MAX_LINK_LENGTH - 'sip:@b'.length)}@b`;
    expect(long).toHaveLength(MAX_LINK_LENGTH);
    expect(linksFromArgv([long])).toEqual([long]);
    expect(linksFromArgv([`${long}c`])).toEqual([]);
    const longDoc = `https://prov.example.com/${'a'.repeat(MAX_LINK_LENGTH)}`;
    expect(linksFromArgv(['--provision', longDoc])).toEqual([]);
    expect(linksFromArgv([`kwdesk://provision?url=${longDoc}`])).toEqual([]);
    expect(
      linksFromArgv(['sip:kim@example.com\n', 'sip:kim @example.com', '--provision', `${DOC} x`]),
    ).toEqual([]);
  });

  it('logs a provisioning link without its query, which may carry a secret', () => {
    const withToken = provisionLink('https://prov.example.com/kim.json?token=s3cret');
    expect(linkForLog(withToken)).toBe('kwdesk://provision (https://prov.example.com/kim.json)');
    expect(linkForLog('kwdesk://provision?url=%%%')).toBe('kwdesk://provision');
    expect(linkForLog('sip:kim@example.com')).toBe('sip:kim@example.com');
  });
});

describe('single instance', () => {
  function claim(argv: string[]): {
    app: FakeApp;
    links: string[];
    focused: () => number;
    records: ReturnType<typeof memoryLogger>['records'];
  } {
    const app = new FakeApp();
    const { logger, records } = memoryLogger();
    const links: string[] = [];
    let focused = 0;
    const ok = claimSingleInstance(
      app,
      argv,
      { onSecondInstance: () => (focused += 1), onLink: (l) => links.push(l) },
      logger,
    );
    expect(ok).toBe(true);
    return { app, links, focused: () => focused, records };
  }

  it("hands over the first start's links at once", () => {
    expect(claim(['/opt/kw', '--provision', DOC]).links).toEqual([DOC_LINK]);
  });

  it('a second start focuses the first, and its links are handed over', () => {
    const { app, links, focused } = claim(['/opt/kw']);
    app.emit('second-instance', fakeEvent(), ['/opt/kw', ...CHROMIUM, 'tel:+4912345']);
    expect(focused()).toBe(1);
    expect(links).toEqual(['tel:+4912345']);
  });

  it('macOS open-url: handled here (default prevented) and handed over', () => {
    const { app, links } = claim(['/Applications/KW Desktop.app/Contents/MacOS/KW Desktop']);
    const event = fakeEvent();
    app.emit('open-url', event, 'sip:kim@example.com');
    expect(event.defaultPrevented).toBe(true);
    expect(links).toEqual(['sip:kim@example.com']);
  });

  it('an unusable link is logged at debug and not handed over', () => {
    const { app, links, records } = claim(['/opt/kw']);
    app.emit('open-url', fakeEvent(), 'kwdesk://provision?url=http://prov.example.com/kim.json');
    expect(links).toEqual([]);
    expect(records.map((r) => [r.level, r.msg])).toContainEqual([
      'debug',
      'link ignored: not one KW Desktop opens',
    ]);
  });

  it('without the lock this instance must quit, and hands nothing over', () => {
    const app = new FakeApp();
    app.lock = false;
    const links: string[] = [];
    const handlers = { onSecondInstance: () => undefined, onLink: (l: string) => links.push(l) };
    expect(claimSingleInstance(app, ['/opt/kw', 'sip:a@b'], handlers, memoryLogger().logger)).toBe(false);
    expect(app.listenerCount('second-instance')).toBe(0);
    expect(links).toEqual([]);
  });
});

describe('pending links', () => {
  it('keeps links until the app has started, then hands them over in order; later ones go straight through', () => {
    const pending = new PendingLinks();
    const opened: string[] = [];
    pending.push('sip:a@b');
    pending.push(DOC_LINK);
    expect(opened).toEqual([]);
    pending.deliverTo((l) => opened.push(l));
    expect(opened).toEqual(['sip:a@b', DOC_LINK]);
    pending.push('tel:+4912345');
    expect(opened).toEqual(['sip:a@b', DOC_LINK, 'tel:+4912345']);
  });
});

describe('protocol registration on Windows', () => {
  const env = {
    platform: 'win32' as const,
    execPath: 'C:\\KW\\KW Desktop.exe',
    argv: ['C:\\KW\\KW Desktop.exe'],
  };

  it('a packaged app registers kwdesk:, sip: and tel: for itself', () => {
    const app = new FakeApp();
    registerProtocolClients(app, env, memoryLogger().logger);
    expect(app.protocolClients).toEqual(PROTOCOL_SCHEMES.map((protocol) => ({ protocol })));
    expect(PROTOCOL_SCHEMES).toEqual(['kwdesk', 'sip', 'tel']);
  });

  it('in development: kwdesk: only, as the Electron binary with the app path', () => {
    const app = new FakeApp();
    app.isPackaged = false;
    const devEnv = {
      ...env,
      execPath: 'C:\\repo\\electron.exe',
      argv: ['C:\\repo\\electron.exe', 'dist/main/index.cjs'],
    };
    registerProtocolClients(app, devEnv, memoryLogger().logger);
    expect(app.protocolClients).toEqual([
      { protocol: 'kwdesk', path: 'C:\\repo\\electron.exe', args: [resolve('dist/main/index.cjs')] },
    ]);
  });

  it('a refused registration is a warning, not an error', () => {
    const app = new FakeApp();
    app.protocolClientAnswer = false;
    const { logger, records } = memoryLogger();
    registerProtocolClients(app, env, logger);
    expect(records.filter((r) => r.level === 'warn')).toHaveLength(3);
  });

  it('macOS and Linux register at install time: nothing here', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      const app = new FakeApp();
      registerProtocolClients(app, { ...env, platform }, memoryLogger().logger);
      expect(app.protocolClients).toEqual([]);
    }
  });
});
