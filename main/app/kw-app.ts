/**
 * The KW Desktop application behind any window host: builds the KW core from
 * the settings and the stored secret, answers the contract's commands (inputs
 * already validated by the gateway), and turns core changes into contract
 * events. Electron (main/electron) and the browser harness (main/harness) both
 * host exactly this.
 */
import type * as v from 'valibot';
import type { Logger } from '../core/log.js';
import type { KwCore } from '../core/kw-core.js';
import type { PresenceSnapshot } from '../core/presence/presence-manager.js';
import type { CoreFactory } from '../core/core-factory.js';
import type { SipAccount } from '../core/sip/agent.js';
import type { TlsOptions } from '../core/sip/ws-socket.js';
import type { ProxyResolver } from '../core/sip/proxy-route.js';
import { IdleWatcher, type IdleSource } from '../core/presence/idle-watcher.js';
import type { Unsubscribe } from '../core/events.js';
import type {
  AppSnapshot,
  CommandName,
  CommandOutput,
  Commands,
  EventName,
  EventPayload,
  SettingsInput,
  SettingsView,
  StatusView,
} from '../../preload/contract.js';
import {
  callView,
  conversationView,
  devicesView,
  levelsView,
  requestsView,
  signInStatusView,
  statusView,
} from './views.js';
import { RequestLog, type RequestStore } from '../core/requests/request-log.js';
import { recordRequests } from '../core/requests/request-recorder.js';
import { safeExternalUrl } from '../../wire/links.js';
import type { SettingsPolicy } from './policy/policy-settings.js';
import { accountComplete } from './ports.js';
import { ProvisioningFlow } from './provisioning/provisioning-flow.js';
import { exportFile, type ExportFormat, type HistoryExportTarget } from './history-export.js';
import { parseAppLink } from './provisioning/setup-link.js';
import { exchangeSignInToken, fetchProvisioningDocument } from '../core/provisioning/index.js';
import { toAor } from '../../wire/sip/uri.js';
import type {
  GlobalShortcutsPort,
  LinkOpener,
  LoginItems,
  SecretStore,
  SettingsStore,
  StoredSettings,
  WindowControl,
} from './ports.js';

export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export type CommandHandlers = {
  [K in CommandName]: (input: v.InferOutput<Commands[K]['input']>) => Promise<CommandOutput<K>>;
};

export interface KwAppOptions {
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  /** Builds the core for the account in the settings (main/core/core-factory.ts). */
  readonly createCore: CoreFactory;
  readonly links: LinkOpener;
  readonly windows: WindowControl;
  readonly logger: Logger;
  readonly loginItems?: LoginItems;
  /** The global accept/decline shortcuts (Electron); without one, the setting is kept but does nothing. */
  readonly shortcuts?: GlobalShortcutsPort;
  readonly idle?: IdleSource;
  /** TLS for the SIP servers, given the account's extra CAs (the shell adds Node's and the OS's). */
  readonly tlsFor?: (extraCaCertificates: readonly string[]) => TlsOptions;
  /** The host's proxy settings for the SIP servers (the shell asks Chromium's session). */
  readonly resolveProxy?: ProxyResolver;
  /** Where missed requests are kept (a file in the history folder); without one, in memory only. */
  readonly requests?: RequestStore;
  /** The organization's enforced settings (main/app/policy); without one, nothing is locked. */
  readonly policy?: SettingsPolicy;
  /** Where exported history goes (Electron: a save dialog); without one, the file is handed to the page. */
  readonly exports?: HistoryExportTarget;
  /** Quits the application (the unreadable-history banner's "Quit"); without one, nothing to quit (harness). */
  readonly quit?: () => void;
}

export class KwApp {
  /** Undefined until the settings name an account and a server (the sign-in screen). */
  private core: KwCore | undefined;
  private readonly sinks = new Set<EventSink>();
  private unwire: Unsubscribe[] = [];
  private idleWatcher: IdleWatcher | undefined;
  readonly handlers: CommandHandlers;
  /** Requests that ended without this KW: outlives a core (a new sign-in keeps the list). */
  readonly requests: RequestLog;
  private requestsLoaded: Promise<void> | undefined;
  private unwireRequests: Unsubscribe | undefined;
  /** Whether the shortcuts of the settings were registered once (at the first start). */
  private shortcutsApplied: true | undefined;
  private shortcutsProblem: string | undefined;
  /** The setup link being looked at (kwdesk://provision, --provision, or pasted on the sign-in screen). */
  readonly provisioning: ProvisioningFlow;
  /** The KW chose "Keep it aside and start fresh": the unreadable-history banner is not shown again. */
  private unreadableKeptAside = false;
  private requestsQueued = false;

  constructor(private readonly options: KwAppOptions) {
    const settings = options.settings.load();
    this.core = accountComplete(settings) ? this.buildCore(settings) : undefined;
    this.handlers = this.buildHandlers();
    this.requests = new RequestLog({
      logger: options.logger.child('requests'),
      ...(options.requests ? { store: options.requests } : {}),
    });
    this.requests.on('changed', () => this.requestsSoon());
    this.provisioning = new ProvisioningFlow({
      fetchDocument: (url) => fetchProvisioningDocument(url, this.httpsOptions()),
      exchangeToken: (url, signIn) => exchangeSignInToken(url, signIn, this.httpsOptions()),
      current: () => options.settings.load(),
      commit: (next, password) => this.commitProvisioned(next, password),
      emit: (view) => this.emit('provisioning', view),
      logger: options.logger.child('provisioning'),
    });
  }

  /** The signed-in core (tests, the harness); throws before sign-in. */
  get kwCore(): KwCore {
    return this.signedIn();
  }

  private signedIn(): KwCore {
    if (!this.core) throw new Error('Sign in first: no account is set up yet.');
    return this.core;
  }

  async start(): Promise<void> {
    await (this.requestsLoaded ??= this.requests.load());
    this.shortcutsApplied ??= this.applyShortcuts(this.options.settings.load().globalShortcuts);
    const core = this.core;
    if (!core) {
      this.options.logger.info('no account set up yet: waiting for the sign-in screen');
      return;
    }
    this.wire(core);
    await core.start();
    const idle = this.options.idle;
    if (idle) {
      this.idleWatcher = new IdleWatcher(
        idle,
        () => this.options.settings.load().idleMinutes,
        (isIdle) => void core.presence.setIdle(isIdle),
        {
          setInterval: (fn, ms) => setInterval(fn, ms),
          clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
        },
      );
      this.idleWatcher.start();
    }
  }

  async stop(): Promise<void> {
    this.idleWatcher?.stop();
    for (const off of this.unwire.splice(0)) off();
    await this.core?.stop();
    // Still listening while the core stops: a preview pending then is recorded as such.
    this.unwireRequests?.();
    this.unwireRequests = undefined;
    await this.requests.flush();
  }

  /** The tray's "N missed requests": the main window on the Requests section. */
  showRequests(): void {
    this.options.windows.showMain();
    this.emit('showRequests', {});
  }

  /** Screen lock / unlock from the host (powerMonitor). */
  setLocked(locked: boolean): void {
    void this.core?.presence.setLocked(locked);
  }

  /** A window host subscribes to events for its windows. */
  onEvent(sink: EventSink): Unsubscribe {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  snapshot(): AppSnapshot {
    const core = this.core;
    return {
      status: this.statusNow(),
      conversations: core ? core.conversations.list().map(conversationView) : [],
      calls: core ? core.calls.list().map(callView) : [],
      requests: requestsView(this.requests),
      provisioning: this.provisioning.view(),
    };
  }

  private statusNow(): StatusView {
    const settings = this.options.settings.load();
    const view = this.core
      ? statusView(this.core, settings.account.displayName)
      : signInStatusView(settings.lastPresence);
    if (!this.unreadableKeptAside || view.history.unreadable === undefined) return view;
    const { unreadable: _keptAside, ...history } = view.history;
    return { ...view, history };
  }

  /** One conversation (`interactionId`) or all (each read from history), as a file the host saves or the page downloads. */
  private async exportHistory(format: ExportFormat, interactionId: string | undefined) {
    const conversations = this.signedIn().conversations;
    if (interactionId !== undefined && !conversations.has(interactionId))
      throw new Error('That conversation is no longer in your history.');
    const chosen = (
      interactionId === undefined ? await conversations.readAll() : [await conversations.read(interactionId)]
    ).map(conversationView);
    const file = exportFile(chosen, format, new Date(), interactionId !== undefined);
    this.options.logger.info('history exported', { format, conversations: chosen.length });
    return this.options.exports ? this.options.exports.deliver(file) : { kind: 'download' as const, ...file };
  }

  private emit: EventSink = (event, payload) => {
    for (const sink of this.sinks) sink(event, payload);
  };

  /**
   * The request list (up to 100 entries) goes out once the listeners of what changed it have
   * run: a preview's own status reaches the windows first, and a burst of changes is one event.
   */
  private requestsSoon(): void {
    if (this.requestsQueued) return;
    this.requestsQueued = true;
    queueMicrotask(() => {
      this.requestsQueued = false;
      this.emit('requests', requestsView(this.requests));
    });
  }

  private emitStatus = (): void => {
    this.emit('status', this.statusNow());
  };

  private wire(core: KwCore): void {
    this.unwireRequests = recordRequests(core, this.requests);
    this.unwire = [
      core.agent.on('state', this.emitStatus),
      core.onHistoryStatus(this.emitStatus),
      core.presence.on('change', (snapshot) => {
        this.emitStatus();
        this.rememberPresence(snapshot);
      }),
      core.previews.on('added', this.emitStatus),
      core.alerts.on('alert', (alert) => {
        this.emit('alert', alert);
        this.emitStatus();
      }),
      core.alerts.on('calm', this.emitStatus),
      core.previews.on('removed', this.emitStatus),
      core.pauses.on('changed', this.emitStatus),
      core.previews.on('accepted', (preview) => {
        this.emit('focus', { interactionId: preview.interactionId });
        this.options.windows.showMain(preview.interactionId);
      }),
      core.conversations.on('changed', (c) => this.emit('conversation', conversationView(c))),
      core.calls.on('changed', (calls) => {
        this.emit('calls', calls.map(callView));
        this.options.windows.setCallPopup(calls.some((c) => c.phase === 'ringing'));
      }),
      core.calls.on('levels', (levels) => this.emit('levels', levelsView(levels))),
      core.conversations.on('typing', (t) => this.emit('typing', t)),
    ];
  }

  /** The manual state (and a timed DND) outlive a restart. */
  private rememberPresence(snapshot: PresenceSnapshot): void {
    const settings = this.options.settings.load();
    const timedDnd =
      snapshot.until !== undefined && snapshot.returnTo !== undefined
        ? { until: new Date(snapshot.until).toISOString(), returnTo: snapshot.returnTo }
        : null;
    if (
      settings.lastPresence === snapshot.manual &&
      JSON.stringify(settings.timedDnd) === JSON.stringify(timedDnd)
    )
      return;
    this.options.settings.save({ ...settings, lastPresence: snapshot.manual, timedDnd });
  }

  private buildCore(settings: StoredSettings): KwCore {
    const account: SipAccount = {
      uri: settings.account.uri,
      displayName: settings.account.displayName,
      ...(settings.account.authUser ? { authUser: settings.account.authUser } : {}),
      ...this.passwordOrUndefined(),
      servers: settings.servers,
      ...(this.options.tlsFor ? { tls: this.options.tlsFor(settings.extraCaCertificates) } : {}),
      ...(this.options.resolveProxy ? { resolveProxy: this.options.resolveProxy } : {}),
    };
    return this.options.createCore({
      account,
      initialPresence: settings.lastPresence,
      ...(settings.timedDnd
        ? {
            timedPresence: {
              until: Date.parse(settings.timedDnd.until),
              returnTo: settings.timedDnd.returnTo,
            },
          }
        : {}),
      devices: { input: settings.audioInput, output: settings.audioOutput },
      trustedRoutingPoints: settings.trustedRoutingPoints,
    });
  }

  private passwordOrUndefined(): { password?: string } {
    const password = this.options.secrets.getPassword();
    return password === undefined ? {} : { password };
  }

  private settingsView(): SettingsView {
    const s = this.options.settings.load();
    return {
      account: { ...s.account, hasPassword: this.options.secrets.getPassword() !== undefined },
      servers: [...s.servers],
      idleMinutes: s.idleMinutes,
      startAtLogin: s.startAtLogin,
      sounds: s.sounds,
      trustedRoutingPoints: [...s.trustedRoutingPoints],
      locked: [...(this.options.policy?.locked() ?? [])],
      globalShortcuts: s.globalShortcuts ? { ...s.globalShortcuts } : null,
      ...(this.shortcutsProblem ? { shortcutsProblem: this.shortcutsProblem } : {}),
    };
  }

  private async saveSettings(input: SettingsInput): Promise<SettingsView> {
    const before = this.options.settings.load();
    const next = settingsFromInput(before, input);
    // Refused before anything is written (the password included).
    const refused = this.options.policy?.refusal(next);
    if (refused !== undefined) throw new Error(refused);
    // Absent = keep the stored password; '' = forget it.
    const password = input.account.password;
    await this.commit(before, next, password === undefined ? undefined : { password: password || undefined });
    return this.settingsView();
  }

  /** Stores `next` (and the secret) all or nothing, then applies what changed: login item, a new sign-in. */
  private async commit(
    before: StoredSettings,
    next: StoredSettings,
    secret: { password: string | undefined } | undefined,
  ): Promise<void> {
    this.storeAllOrNothing(next, secret);
    if (before.startAtLogin !== next.startAtLogin)
      this.options.loginItems?.setStartAtLogin(next.startAtLogin);
    if (JSON.stringify(before.globalShortcuts) !== JSON.stringify(next.globalShortcuts))
      this.applyShortcuts(next.globalShortcuts);
    if (secret !== undefined || signInChanged(before, next)) {
      this.options.logger.info('account, servers or routing points changed: signing in again', {
        uri: next.account.uri,
      });
      await this.stop();
      this.core = accountComplete(next) ? this.buildCore(next) : undefined;
      await this.start();
      this.emitStatus();
    }
  }

  /** Registers the shortcuts; a refusal (another app has one) is kept for Settings to show. */
  private applyShortcuts(shortcuts: StoredSettings['globalShortcuts']): true {
    this.shortcutsProblem = this.options.shortcuts?.apply(shortcuts);
    if (this.shortcutsProblem)
      this.options.logger.warn('global shortcuts', { problem: this.shortcutsProblem });
    return true;
  }

  /** A setup document's settings, under the organization's enforced values, with its password. */
  private async commitProvisioned(next: StoredSettings, password: string): Promise<void> {
    const enforced = this.options.policy?.enforce(next) ?? next;
    await this.commit(this.options.settings.load(), enforced, { password });
  }

  /** How https requests of the app (setup links) trust and reach servers: as the SIP connection does. */
  private httpsOptions(): { ca?: readonly string[]; resolveProxy?: ProxyResolver } {
    const extra = this.options.settings.load().extraCaCertificates;
    const ca = this.options.tlsFor?.(extra).ca;
    return {
      ...(ca !== undefined ? { ca: typeof ca === 'string' ? [ca] : ca } : {}),
      ...(this.options.resolveProxy ? { resolveProxy: this.options.resolveProxy } : {}),
    };
  }

  /**
   * A link the shell was given: a setup link opens the main window on its
   * summary; a sip: address opens it on the latest conversation with that
   * agent (the KW Desktop takes requests, it does not dial); anything else is
   * logged and dropped.
   */
  openLink(link: string): void {
    const target = parseAppLink(link);
    const log = this.options.logger;
    if (target.kind === 'provision') {
      this.options.windows.showMain();
      void this.provisioning.open(target.url);
      return;
    }
    if (target.kind === 'dial') {
      const c = target.aor ? this.latestConversationWith(target.aor) : undefined;
      log.info('address link: showing the main window', { found: c !== undefined });
      this.options.windows.showMain(c);
      if (c) this.emit('focus', { interactionId: c });
      return;
    }
    log.info('link ignored: not a setup link or an address');
  }

  private latestConversationWith(aor: string): string | undefined {
    const matches = (this.core?.conversations.list() ?? []).filter(
      (c) => toAor(c.agent.uri)?.toLowerCase() === aor,
    );
    return matches.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0]?.interactionId;
  }

  /**
   * Writes the settings and, when it changed, the password — both or neither:
   * the secret is prepared (encrypted) before anything is written, and put
   * back as it was when the settings then cannot be written. The error says
   * so in a sentence; the details are in the log.
   */
  private storeAllOrNothing(
    next: StoredSettings,
    secret: { password: string | undefined } | undefined,
  ): void {
    const { secrets, settings, logger } = this.options;
    let undoSecret: (() => void) | undefined;
    try {
      undoSecret = secret ? secrets.prepare(secret.password).apply() : undefined;
    } catch (error) {
      throw notSaved(error);
    }
    try {
      settings.save(next);
    } catch (error) {
      try {
        undoSecret?.();
      } catch (undoError) {
        logger.error('settings not saved, and the previous password could not be put back', {
          error: messageOf(undoError),
        });
        throw new Error(
          `${messageOf(error)}, and the previous password could not be put back: enter it again`,
        );
      }
      throw notSaved(error);
    }
  }

  private buildHandlers(): CommandHandlers {
    return {
      'app.ready': () => Promise.resolve(this.snapshot()),
      'connection.retry': () => {
        // Nothing waiting (registered, or an attempt under way) is not an error: the banner is stale.
        const retried = this.signedIn().agent.retryNow();
        this.options.logger.info('retry now asked', { retried, phase: this.signedIn().agent.state.phase });
        return Promise.resolve(null);
      },
      'presence.set': async ({ state, until }) => {
        const presence = this.signedIn().presence;
        await (until === undefined ? presence.set(state) : presence.setDndUntil(Date.parse(until)));
        // Choosing Available is the way back after missed requests (issue 16).
        if (state === 'available') await this.signedIn().pauses.resumeAll();
        return null;
      },
      'previews.accept': async ({ interactionId }) => {
        await this.signedIn().previews.accept(interactionId);
        return null;
      },
      'previews.seen': ({ interactionId }) => {
        this.signedIn().alerts.markSeen(interactionId);
        return Promise.resolve(null);
      },
      'previews.decline': async ({ interactionId, reason }) => {
        await this.signedIn().previews.decline(interactionId, reason);
        return null;
      },
      'chats.send': async ({ interactionId, text }) => {
        await this.signedIn().conversations.send(interactionId, text);
        return null;
      },
      'chats.retry': async ({ interactionId, messageId }) => {
        await this.signedIn().conversations.retry(interactionId, messageId);
        return null;
      },
      'chats.typing': async ({ interactionId, active }) => {
        await this.signedIn().conversations.setComposing(interactionId, active);
        return null;
      },
      'chats.end': async ({ interactionId }) => {
        await this.signedIn().conversations.end(interactionId);
        return null;
      },
      'settings.get': () => Promise.resolve(this.settingsView()),
      'settings.save': (input) => this.saveSettings(input),
      'provisioning.open': ({ url }) => this.provisioning.open(url),
      'provisioning.apply': async (input) => {
        await this.provisioning.apply(input);
        return null;
      },
      'provisioning.cancel': () => {
        this.provisioning.cancel();
        return Promise.resolve(null);
      },
      'links.open': async ({ url }) => {
        const safe = safeExternalUrl(url);
        if (!safe) throw new Error('only https: and mailto: links can be opened');
        await this.options.links.open(safe.href);
        return null;
      },
      'calls.answer': async ({ callId }) => {
        await this.signedIn().calls.answer(callId);
        return null;
      },
      'calls.decline': ({ callId }) => {
        this.signedIn().calls.decline(callId);
        return Promise.resolve(null);
      },
      'calls.hangup': ({ callId }) => {
        this.signedIn().calls.hangup(callId);
        return Promise.resolve(null);
      },
      'calls.mute': ({ callId, muted }) => {
        this.signedIn().calls.mute(callId, muted);
        return Promise.resolve(null);
      },
      'calls.hold': ({ callId, held }) => {
        this.signedIn().calls.hold(callId, held);
        return Promise.resolve(null);
      },
      'calls.dtmf': ({ callId, tones }) => {
        this.signedIn().calls.dtmf(callId, tones);
        return Promise.resolve(null);
      },
      'devices.list': async () => devicesView(await this.signedIn().calls.devices()),
      'devices.select': async (choice) => {
        const view = await this.signedIn().calls.selectDevices(choice);
        const settings = this.options.settings.load();
        if (settings.audioInput !== view.input || settings.audioOutput !== view.output)
          this.options.settings.save({ ...settings, audioInput: view.input, audioOutput: view.output });
        return devicesView(view);
      },
      'requests.markSeen': () => {
        this.requests.markSeen();
        return Promise.resolve(null);
      },
      'windows.showMain': ({ interactionId }) => {
        this.options.windows.showMain(interactionId);
        if (interactionId) this.emit('focus', { interactionId });
        return Promise.resolve(null);
      },
      'history.export': ({ format, interactionId }) => this.exportHistory(format, interactionId),
      'chats.open': async ({ interactionId }) =>
        conversationView(await this.signedIn().conversations.read(interactionId)),
      'history.keepAside': () => {
        this.unreadableKeptAside = true;
        this.options.logger.info('unreadable history kept aside: starting fresh');
        this.emitStatus();
        return Promise.resolve(null);
      },
      'app.quit': () => {
        this.options.logger.info('quit asked from the main window');
        this.options.quit?.();
        return Promise.resolve(null);
      },
    };
  }
}

/** The stored settings after a save of `input` (fields the input leaves out keep their value). */
function settingsFromInput(before: StoredSettings, input: SettingsInput): StoredSettings {
  return {
    ...before,
    account: {
      uri: input.account.uri,
      authUser: input.account.authUser,
      displayName: input.account.displayName,
    },
    servers: input.servers,
    idleMinutes: input.idleMinutes,
    startAtLogin: input.startAtLogin,
    sounds: input.sounds,
    trustedRoutingPoints: input.trustedRoutingPoints ?? before.trustedRoutingPoints,
    globalShortcuts: input.globalShortcuts === undefined ? before.globalShortcuts : input.globalShortcuts,
  };
}

/** Whether the core must be built again: who signs in where, or whom it trusts (fixed for a core's life). */
function signInChanged(before: StoredSettings, next: StoredSettings): boolean {
  return (
    before.account.uri !== next.account.uri ||
    before.account.authUser !== next.account.authUser ||
    before.account.displayName !== next.account.displayName ||
    before.servers.join('\n') !== next.servers.join('\n') ||
    before.extraCaCertificates.join('\n') !== next.extraCaCertificates.join('\n') ||
    before.trustedRoutingPoints.join('\n') !== next.trustedRoutingPoints.join('\n')
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A store's refusal (a sentence), saying that nothing else changed either. */
function notSaved(error: unknown): Error {
  return new Error(`${messageOf(error)}; nothing was changed`, { cause: error });
}
