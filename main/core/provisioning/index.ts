/** Provisioning in the KW's main process: fetch a setup document, trade its sign-in token. */
export { fetchProvisioningDocument, type FetchOptions, type FetchResult } from './fetch-document.js';
export { exchangeSignInToken, type ExchangeOptions, type ExchangeResult } from './token-exchange.js';
export type { ProvisioningFailure, ProvisioningFailureKind } from './failure.js';
