/**
 * One setup link at a time: fetch and check the document (nothing applied),
 * show the KW what it sets, then on their confirmation trade its one-time code
 * (or take their password) and apply it all or nothing. A newer link replaces
 * one still being fetched. Every failure is a sentence; the details go to the log.
 */
import type { ProvisioningView } from '../../../preload/contract.js';
import type { ProvisioningDocument, SignIn } from '../../../wire/provisioning.js';
import { parseSipUri } from '../../../wire/sip/uri.js';
import type { Logger } from '../../core/log.js';
import type { ExchangeResult, FetchResult } from '../../core/provisioning/index.js';
import type { StoredSettings } from '../ports.js';
import { provisionedSettings, readyView } from './provisioned-settings.js';

export interface ProvisioningFlowOptions {
  readonly fetchDocument: (url: string) => Promise<FetchResult>;
  readonly exchangeToken: (documentUrl: string, signIn: SignIn) => Promise<ExchangeResult>;
  readonly current: () => StoredSettings;
  /** Stores the settings and the password and signs in again; throws a sentence, nothing changed then. */
  readonly commit: (next: StoredSettings, password: string) => Promise<void>;
  readonly emit: (view: ProvisioningView) => void;
  readonly logger: Logger;
}

interface Pending {
  readonly url: string;
  readonly host: string;
  readonly document: ProvisioningDocument;
}

export class ProvisioningFlow {
  private state: ProvisioningView = { state: 'idle' };
  private pending: Pending | undefined;
  private generation = 0;

  constructor(private readonly options: ProvisioningFlowOptions) {}

  view(): ProvisioningView {
    return this.state;
  }

  async open(url: string): Promise<ProvisioningView> {
    const generation = ++this.generation;
    this.pending = undefined;
    const host = hostOf(url);
    if (host === undefined) {
      return this.show({
        state: 'failed',
        host: '',
        sentence: 'This setup link is not an https:// address.',
      });
    }
    this.options.logger.info('setup link: fetching the document', { host });
    this.show({ state: 'fetching', host });
    const result = await this.options.fetchDocument(url);
    if (generation !== this.generation) return this.state;
    if (!result.ok) {
      this.options.logger.warn('setup link refused', { host, kind: result.kind, detail: result.detail });
      return this.show({ state: 'failed', host, sentence: result.sentence });
    }
    this.pending = { url, host, document: result.document };
    return this.show(readyView(host, result.document, this.options.current()));
  }

  cancel(): void {
    this.generation += 1;
    this.pending = undefined;
    this.show({ state: 'idle' });
  }

  /** Applies the ready document; throws a sentence (and keeps it ready, or failed for a spent code). */
  async apply(input: { readonly uri?: string; readonly password?: string }): Promise<void> {
    const pending = this.pending;
    if (!pending || this.state.state !== 'ready') throw new Error('There is no setup link to apply.');
    const ready = this.state;
    const uri = this.addressFor(pending.document, input.uri);
    if (!pending.document.signIn && !input.password) throw new Error('Enter your password.');
    this.show({ state: 'applying', host: pending.host });
    try {
      const secret = await this.secretFor(pending, input.password);
      const next = provisionedSettings(this.options.current(), pending.document, {
        ...(uri !== undefined ? { uri } : {}),
        ...(secret.authUser !== undefined ? { authUser: secret.authUser } : {}),
      });
      await this.options.commit(next, secret.password);
    } catch (error) {
      const sentence = error instanceof Error ? error.message : String(error);
      if (error instanceof SpentCode) {
        this.pending = undefined;
        this.show({ state: 'failed', host: pending.host, sentence });
      } else this.show(ready);
      throw new Error(sentence, { cause: error });
    }
    this.options.logger.info('setup link applied', { host: pending.host });
    this.pending = undefined;
    this.show({ state: 'idle' });
  }

  private addressFor(doc: ProvisioningDocument, typed: string | undefined): string | undefined {
    if (doc.account?.uri !== undefined) return undefined;
    if (typed === undefined) throw new Error('Enter your SIP address.');
    if (parseSipUri(typed)?.host.toLowerCase() !== doc.domain)
      throw new Error(`Your SIP address must end in @${doc.domain}.`);
    return typed;
  }

  private async secretFor(
    pending: Pending,
    typed: string | undefined,
  ): Promise<{ password: string; authUser?: string }> {
    const signIn = pending.document.signIn;
    if (!signIn) return { password: typed ?? '' };
    const answer = await this.options.exchangeToken(pending.url, signIn);
    if (answer.ok)
      return { password: answer.password, ...(answer.authUser ? { authUser: answer.authUser } : {}) };
    this.options.logger.warn('setup link: sign-in code refused', {
      kind: answer.kind,
      detail: answer.detail,
    });
    throw answer.kind === 'token-refused' ? new SpentCode(answer.sentence) : new Error(answer.sentence);
  }

  private show(view: ProvisioningView): ProvisioningView {
    this.state = view;
    this.options.emit(view);
    return view;
  }
}

/** The one-time code is used or expired: the document cannot sign in any more. */
class SpentCode extends Error {}

function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? parsed.host : undefined;
  } catch {
    return undefined;
  }
}
