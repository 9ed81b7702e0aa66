export {
  startProvisioningServer,
  type ProvisioningServer,
  type ProvisioningServerOptions,
} from './server.js';
export { labDocument, type LabSite } from './document.js';
export { OneTimeTokens, TOKEN_LIFETIME_MS } from './tokens.js';
