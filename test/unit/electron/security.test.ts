import { describe, expect, it } from 'vitest';
import type { PermissionCheckHandlerHandlerDetails } from 'electron';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../../../main/core/log.js';
import {
  CONTENT_SECURITY_POLICY,
  installSecurity,
  isAppUrl,
  openExternalSafely,
  pageUrl,
} from '../../../main/electron/security.js';
import { registerAppScheme, resolveAppPath, serveRenderer } from '../../../main/electron/app-protocol.js';
import { fakeEvent, FakeApp, FakeSession, FakeShell, FakeWebContents } from './fake-electron.js';

function setup(devTools?: boolean) {
  const app = new FakeApp();
  const session = new FakeSession();
  const shell = new FakeShell();
  const { logger, records } = memoryLogger();
  installSecurity({ app, session, shell, logger, ...(devTools !== undefined ? { devTools } : {}) });
  const contents = new FakeWebContents();
  app.emit('web-contents-created', fakeEvent(), contents);
  return { app, session, shell, contents, records };
}

describe('web contents hardening', () => {
  it('closes DevTools as soon as they open, in every webContents, unless allowed', () => {
    const production = setup();
    production.contents.openDevTools();
    expect(production.contents.devToolsOpen).toBe(false);
    expect(production.records).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'DevTools closed: not allowed in this build' }),
    );
    const explicit = setup(false);
    explicit.contents.openDevTools();
    expect(explicit.contents.devToolsOpen).toBe(false);
    const development = setup(true);
    development.contents.openDevTools();
    expect(development.contents.devToolsOpen).toBe(true);
    expect(development.contents.listenerCount('devtools-opened')).toBe(0);
  });

  it('denies window.open; an https link goes to the system browser, nothing else does', () => {
    const { contents, shell } = setup();
    const open = (url: string) =>
      contents.windowOpenHandler?.({
        url,
        frameName: '',
        features: '',
        disposition: 'new-window',
        referrer: { url: '', policy: 'default' },
      });
    expect(open('https://example.com/help')).toEqual({ action: 'deny' });
    expect(open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(open('app://kw/main.html')).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual(['https://example.com/help']);
  });

  it('denies navigation, redirects and webviews', () => {
    const { contents, shell, records } = setup();
    for (const url of ['https://evil.example/', 'app://kw/preview.html', 'file:///tmp/x.html']) {
      const event = fakeEvent();
      contents.emit('will-navigate', event, url);
      expect(event.defaultPrevented).toBe(true);
    }
    const redirect = fakeEvent();
    contents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.defaultPrevented).toBe(true);
    const webview = fakeEvent();
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    expect(shell.opened).toEqual(['https://evil.example/']);
    expect(records.filter((r) => r.msg === 'navigation denied')).toHaveLength(3);
  });
});

describe('permissions', () => {
  const request = (
    session: FakeSession,
    permission: Parameters<NonNullable<FakeSession['requestHandler']>>[1],
    details: { requestingUrl: string; isMainFrame?: boolean; mediaTypes?: Array<'audio' | 'video'> },
  ): boolean => {
    let granted: boolean | undefined;
    session.requestHandler?.(
      new FakeWebContents(),
      permission,
      (g) => {
        granted = g;
      },
      { isMainFrame: true, ...details },
    );
    if (granted === undefined) throw new Error('callback not called');
    return granted;
  };

  it('grants the microphone (audio only) to the media page only', () => {
    const { session } = setup();
    const media = pageUrl('media');
    expect(media).toBe('app://kw/media.html');
    expect(request(session, 'media', { requestingUrl: media, mediaTypes: ['audio'] })).toBe(true);
    // The windows with UI never capture: main asks the media host.
    for (const page of ['main', 'preview', 'call'] as const)
      expect(request(session, 'media', { requestingUrl: pageUrl(page), mediaTypes: ['audio'] })).toBe(false);
    expect(request(session, 'media', { requestingUrl: media, mediaTypes: ['video'] })).toBe(false);
    expect(request(session, 'media', { requestingUrl: media, mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(request(session, 'media', { requestingUrl: media, mediaTypes: [] })).toBe(false);
    expect(
      request(session, 'media', { requestingUrl: media, mediaTypes: ['audio'], isMainFrame: false }),
    ).toBe(false);
    expect(
      request(session, 'media', { requestingUrl: 'https://evil.example/media.html', mediaTypes: ['audio'] }),
    ).toBe(false);
    expect(request(session, 'media', { requestingUrl: 'file:///x/media.html', mediaTypes: ['audio'] })).toBe(
      false,
    );
    expect(request(session, 'media', { requestingUrl: 'app://evil/media.html', mediaTypes: ['audio'] })).toBe(
      false,
    );
  });

  it('denies everything else, even to our origin', () => {
    const { session } = setup();
    for (const permission of [
      'notifications',
      'geolocation',
      'clipboard-read',
      'display-capture',
      'openExternal',
      'fullscreen',
      'speaker-selection',
      'hid',
    ] as const)
      for (const page of ['main', 'media'] as const)
        expect(request(session, permission, { requestingUrl: pageUrl(page) })).toBe(false);
  });

  it('denies every HID, serial and USB device', () => {
    const { session, records } = setup();
    const granted = session.deviceHandler?.({
      deviceType: 'hid',
      origin: 'app://kw',
      device: { deviceId: 'x', name: 'Headset', collections: [], productId: 1, vendorId: 2 },
    });
    expect(granted).toBe(false);
    expect(records.some((r) => r.msg === 'device permission denied')).toBe(true);
  });

  it('permission checks: microphone for our origin only', () => {
    const { session } = setup();
    const check = (
      permission: 'media' | 'notifications',
      origin: string,
      details: Partial<PermissionCheckHandlerHandlerDetails>,
    ) => session.checkHandler?.(new FakeWebContents(), permission, origin, { isMainFrame: true, ...details });
    expect(check('media', 'app://kw', { mediaType: 'audio' })).toBe(true);
    expect(check('media', 'app://kw', { mediaType: 'video' })).toBe(false);
    expect(check('media', 'app://kw', { mediaType: 'unknown' })).toBe(false);
    expect(check('media', 'https://evil.example', { mediaType: 'audio' })).toBe(false);
    expect(check('media', 'app://kw', { mediaType: 'audio', embeddingOrigin: 'https://evil.example' })).toBe(
      false,
    );
    expect(check('notifications', 'app://kw', {})).toBe(false);
  });
});

describe('CSP and our origin', () => {
  it('replaces any CSP on every response with ours', () => {
    const { session } = setup();
    let headers: Record<string, string | string[]> | undefined;
    session.headersListener?.(
      {
        url: 'app://kw/main.html',
        responseHeaders: { 'content-security-policy': ['script-src *'], 'X-A': ['1'] },
      },
      (response) => {
        headers = response.responseHeaders;
      },
    );
    expect(headers).toEqual({ 'X-A': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'");
    // srcObject is no URL load: call audio needs no blob:/mediastream: source.
    expect(CONTENT_SECURITY_POLICY).toContain("media-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(eval|inline)/);
  });

  it('knows our pages', () => {
    expect(isAppUrl('app://kw/main.html', '/main.html')).toBe(true);
    expect(isAppUrl('app://kw/main.html', '/preview.html')).toBe(false);
    expect(pageUrl('call')).toBe('app://kw/call.html');
    expect(isAppUrl('app://user:pw@kw/main.html')).toBe(false);
    expect(isAppUrl('file:///main.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('serves only files under the renderer directory, with the CSP', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kw-proto-'));
    mkdirSync(join(root, 'renderer'));
    writeFileSync(join(root, 'renderer', 'main.html'), '<!doctype html>');
    writeFileSync(join(root, 'secret.txt'), 'no');
    const dir = join(root, 'renderer');
    expect(resolveAppPath(dir, 'app://kw/main.html')).toBe(join(dir, 'main.html'));
    // `..`, encoded or not, is clamped at the renderer directory: never the file next to it.
    for (const url of [
      'app://kw/../secret.txt',
      'app://kw/%2e%2e/secret.txt',
      'app://kw/..%2f..%2fsecret.txt',
    ])
      expect(resolveAppPath(dir, url)).toBe(join(dir, 'secret.txt'));
    expect(resolveAppPath(dir, 'app://kw/%00main.html')).toBeUndefined();
    expect(resolveAppPath(dir, 'app://kw/%E0%A4%A')).toBeUndefined();
    expect(resolveAppPath(dir, 'app://other/main.html')).toBeUndefined();
    expect(resolveAppPath(dir, 'app://kw/')).toBeUndefined();

    let handler: ((request: Request) => Response | Promise<Response>) | undefined;
    const { logger } = memoryLogger();
    serveRenderer({ handle: (_scheme, h) => void (handler = h) }, dir, logger);
    const ok = await handler?.(new Request('app://kw/main.html'));
    expect(ok?.status).toBe(200);
    expect(ok?.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(ok?.headers.get('content-type')).toContain('text/html');
    const outside = await handler?.(new Request('app://kw/%2e%2e/secret.txt'));
    expect(outside?.status).toBe(404);
    expect(outside?.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);

    const schemes: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (s) => void schemes.push(...s) });
    expect(schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
  });
});

describe('openExternalSafely (the one way out)', () => {
  it('opens https: and mailto: only', async () => {
    const shell = new FakeShell();
    const { logger } = memoryLogger();
    const results = await Promise.all(
      [
        'https://example.com/a?b=c',
        'mailto:help@example.com',
        'http://example.com/',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'sip:kw1@lab.local',
        'https://',
      ].map((url) => openExternalSafely(shell, url, logger)),
    );
    expect(results).toEqual([true, true, false, false, false, false, false]);
    expect(shell.opened).toEqual(['https://example.com/a?b=c', 'mailto:help@example.com']);
  });
});
