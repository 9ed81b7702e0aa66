/**
 * The lab SIP server: registrar, stateful record-routing proxy between
 * WebSocket clients (follows 3xx), presence server, optional digest auth and
 * wss. See README.md next to this file for behaviour and limits.
 */
export { startSipServer } from './server.js';
export type { SipServer, SipServerOptions } from './server.js';
export { loadUsersFile } from './users.js';
export { generateCertificate as generateLabCertificate } from './tls.js';
export type { TlsMaterial } from './tls.js';
export type { LabUser } from './users.js';
