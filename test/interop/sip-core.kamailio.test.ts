import { describe } from 'vitest';
import { defineSipCoreScenarios } from '../scenarios/sip-core.js';
import { kamailioServer } from '../support/servers.js';
import { serverAvailable } from '../support/require-server.js';

const available = await serverAvailable(kamailioServer);

describe.skipIf(!available)('Kamailio interop', () => {
  defineSipCoreScenarios(kamailioServer);
});
