/**
 * The Electron security rules in one place (docs/design.md §3):
 * - our pages are served from one origin, `app://kw` (a privileged custom
 *   scheme, see app-protocol.ts); `file://` is never trusted (every local file
 *   shares that origin, and the grantFileProtocolExtraPrivileges fuse is off);
 * - a strict CSP on every response (webRequest) and on our own protocol's
 *   responses;
 * - navigation, redirects, `<webview>` and `window.open` are denied in every
 *   webContents; a denied https:/mailto: link goes to the system browser
 *   through the one external-link function;
 * - DevTools closed at once unless allowed (not packaged, or the developer
 *   flag: app-menu.ts);
 * - permissions: microphone (`media`, audio only) is *requested* only by the
 *   hidden media window's page (the only page that captures; the others ask
 *   main); permission *checks* (device labels, setSinkId) pass for audio on
 *   our origin; nothing else for anyone, and no HID/serial/USB devices.
 */
import type {
  HandlerDetails,
  HeadersReceivedResponse,
  MediaAccessPermissionRequest,
  OnHeadersReceivedListenerDetails,
  PermissionCheckHandlerHandlerDetails,
  PermissionRequest,
  DevicePermissionHandlerHandlerDetails,
  Session,
  Shell,
  WindowOpenHandlerResponse,
} from 'electron';
import { safeExternalUrl } from '../../wire/links.js';
import type { Logger } from '../core/log.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'kw';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The page of each window, under APP_ORIGIN (`media` is the hidden media host, not a contract window). */
export const PAGES = {
  main: '/main.html',
  preview: '/preview.html',
  call: '/call.html',
  media: '/media.html',
} as const;

export function pageUrl(kind: keyof typeof PAGES): string {
  return `${APP_ORIGIN}${PAGES[kind]}`;
}

/** Whether a URL is of our own origin (and, when given, exactly one of our pages). */
export function isAppUrl(url: string, page?: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return false;
  if (parsed.username !== '' || parsed.password !== '') return false;
  return page === undefined || parsed.pathname === page;
}

/**
 * Scripts only from our origin (no inline, no eval); no fetch/XHR/WebSocket
 * from the renderer (main owns the network, the media host talks over IPC);
 * media only from our origin: `audio.srcObject = stream` is not a URL load,
 * so remote call audio needs no `blob:`/`mediastream:` source; inline style
 * *attributes* set through the CSSOM are not governed by style-src, so no
 * 'unsafe-inline' is needed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "media-src 'self'",
  "connect-src 'none'",
  "worker-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Response headers with our CSP replacing any the response carried. */
export function withCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

export type ExternalShell = Pick<Shell, 'openExternal'>;

/** The one function through which a link leaves the app: https: and mailto: only. */
export async function openExternalSafely(
  shell: ExternalShell,
  url: string,
  logger: Logger,
): Promise<boolean> {
  const safe = safeExternalUrl(url);
  if (!safe) {
    logger.warn('external link refused (only https: and mailto:)', { url: url.slice(0, 200) });
    return false;
  }
  await shell.openExternal(safe.href);
  return true;
}

// --- permissions ---------------------------------------------------------------

type PermissionName = Parameters<NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>>[1];

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** `new URL('app://kw/x').origin` is "null" in some runtimes for custom schemes: compare by hand. */
function isOurOrigin(urlOrOrigin: string | undefined): boolean {
  if (!urlOrOrigin) return false;
  if (urlOrOrigin === APP_ORIGIN || urlOrOrigin === `${APP_ORIGIN}/`) return true;
  return isAppUrl(urlOrOrigin) || originOf(urlOrOrigin) === APP_ORIGIN;
}

/**
 * A permission *request* (getUserMedia): microphone only, from the top frame
 * of the media page only. The windows with UI never capture (they ask main,
 * which asks the media host), so a bug or injection there cannot open the mic.
 */
export function decidePermissionRequest(
  permission: PermissionName,
  details: PermissionRequest | MediaAccessPermissionRequest,
): boolean {
  if (permission !== 'media') return false;
  const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
  const audioOnly = mediaTypes.length > 0 && mediaTypes.every((t) => t === 'audio');
  const origin = 'securityOrigin' in details ? details.securityOrigin : undefined;
  return (
    audioOnly &&
    details.isMainFrame &&
    isAppUrl(details.requestingUrl, PAGES.media) &&
    (origin === undefined || isOurOrigin(origin))
  );
}

/**
 * A permission *check* (synchronous queries: device labels in
 * enumerateDevices, setSinkId): audio for our origin only. Checks carry only
 * an origin reliably (`requestingUrl` is optional), and they open no device.
 */
export function decidePermissionCheck(
  permission: PermissionName,
  requestingOrigin: string,
  details: PermissionCheckHandlerHandlerDetails,
): boolean {
  if (permission !== 'media' || details.mediaType !== 'audio') return false;
  if (details.embeddingOrigin !== undefined && !isOurOrigin(details.embeddingOrigin)) return false;
  return (
    isOurOrigin(requestingOrigin) &&
    (details.securityOrigin === undefined || isOurOrigin(details.securityOrigin))
  );
}

// --- wiring ---------------------------------------------------------------------

/** The part of a webContents the hardening touches. */
export interface HardenableContents {
  readonly id: number;
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'devtools-opened', listener: () => void): unknown;
  closeDevTools(): void;
}

export interface SecuritySession {
  setPermissionRequestHandler(
    handler: (
      webContents: unknown,
      permission: PermissionName,
      callback: (granted: boolean) => void,
      details: PermissionRequest | MediaAccessPermissionRequest,
    ) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (
      webContents: unknown,
      permission: PermissionName,
      requestingOrigin: string,
      details: PermissionCheckHandlerHandlerDetails,
    ) => boolean,
  ): void;
  setDevicePermissionHandler(handler: (details: DevicePermissionHandlerHandlerDetails) => boolean): void;
  readonly webRequest: {
    onHeadersReceived(
      listener: (
        details: Pick<OnHeadersReceivedListenerDetails, 'url' | 'responseHeaders'>,
        callback: (response: HeadersReceivedResponse) => void,
      ) => void,
    ): void;
  };
}

export interface SecurityApp {
  on(
    event: 'web-contents-created',
    listener: (event: unknown, contents: HardenableContents) => void,
  ): unknown;
}

export interface SecurityDeps {
  readonly app: SecurityApp;
  readonly session: SecuritySession;
  readonly shell: ExternalShell;
  readonly logger: Logger;
  /** Whether DevTools may open (app-menu.ts devToolsAllowed; default: no). */
  readonly devTools?: boolean;
}

/**
 * Denies navigation, redirects, webviews and new windows in one webContents,
 * and DevTools unless allowed (webPreferences already say `devTools: false`
 * for our windows; this also covers any webContents they do not).
 */
export function hardenWebContents(
  contents: HardenableContents,
  shell: ExternalShell,
  logger: Logger,
  devTools = false,
): void {
  const toBrowser = (url: string): void => {
    if (safeExternalUrl(url)) void openExternalSafely(shell, url, logger).catch(() => undefined);
  };
  contents.setWindowOpenHandler(({ url }) => {
    logger.warn('window.open denied', { webContents: contents.id, url: url.slice(0, 200) });
    toBrowser(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    logger.warn('navigation denied', { webContents: contents.id, url: url.slice(0, 200) });
    toBrowser(url);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    logger.warn('redirect denied', { webContents: contents.id, url: url.slice(0, 200) });
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('webview denied', { webContents: contents.id });
  });
  if (!devTools)
    contents.on('devtools-opened', () => {
      logger.warn('DevTools closed: not allowed in this build', { webContents: contents.id });
      contents.closeDevTools();
    });
}

/** Installs every rule above; call once after `app` is ready (sessions exist then). */
export function installSecurity(deps: SecurityDeps): void {
  const { app, session, shell, logger } = deps;
  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, shell, logger, deps.devTools),
  );
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const granted = decidePermissionRequest(permission, details);
    if (!granted)
      logger.warn('permission request denied', { permission, url: details.requestingUrl.slice(0, 200) });
    callback(granted);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    decidePermissionCheck(permission, requestingOrigin, details),
  );
  // WebHID / Web Serial / WebUSB: nothing of ours uses them.
  session.setDevicePermissionHandler((details) => {
    logger.warn('device permission denied', { deviceType: details.deviceType, origin: details.origin });
    return false;
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
}
