/**
 * Builds a KW core for one account. The composition roots make the factory
 * (with the history, the media bridge, TLS and logging of their process); the
 * application layer calls it each time the account or servers change.
 */
import { KwCore } from './kw-core.js';
import type { Logger } from './log.js';
import { SipAgent, type SipAccount } from './sip/agent.js';
import type { HistoryStore } from './history/history-store.js';
import type { CallMedia } from './calls/call-media.js';
import type { ManualState } from '../../wire/presence/manual-states.js';
import type { TimedState } from './presence/presence-manager.js';
import type { AlertSteps } from './previews/preview-alerts.js';

/** What changes with the settings. */
export interface CoreConfig {
  readonly account: SipAccount;
  readonly initialPresence: ManualState;
  /** A timed Do not disturb still on from before. */
  readonly timedPresence?: TimedState;
  /** The microphone and speaker chosen before ('' = the system default). */
  readonly devices: { readonly input: string; readonly output: string };
  /** The routing points whose previews this KW accepts (AORs); any other sender gets 403. */
  readonly trustedRoutingPoints: readonly string[];
}

export type CoreFactory = (config: CoreConfig) => KwCore;

/** What stays for the process's lifetime. */
export interface CoreEnvironment {
  readonly history: HistoryStore;
  readonly logger: Logger;
  /** The media bridge to the media host; without it calls are refused (480). */
  readonly media?: CallMedia;
  readonly ringTimeoutMs?: number;
  /** Tests: alert levels sooner than the product's (the harness's e2e). */
  readonly alertStepsMs?: AlertSteps;
  /** Tests: agents with faster retries. */
  readonly agentOptions?: Partial<Omit<ConstructorParameters<typeof SipAgent>[0], 'account' | 'logger'>>;
}

export function kwCoreFactory(env: CoreEnvironment): CoreFactory {
  return (config) =>
    new KwCore({
      agent: new SipAgent({ account: config.account, logger: env.logger.child('sip'), ...env.agentOptions }),
      history: env.history,
      logger: env.logger,
      initialPresence: config.initialPresence,
      ...(config.timedPresence ? { timedPresence: config.timedPresence } : {}),
      devices: config.devices,
      trustedRoutingPoints: config.trustedRoutingPoints,
      ...(env.media ? { media: env.media } : {}),
      ...(env.ringTimeoutMs ? { ringTimeoutMs: env.ringTimeoutMs } : {}),
      ...(env.alertStepsMs ? { alertStepsMs: env.alertStepsMs } : {}),
    });
}
