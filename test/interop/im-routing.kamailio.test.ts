import { describe } from 'vitest';
import { defineImRoutingScenarios } from '../scenarios/im-routing.js';
import { kamailioServer } from '../support/servers.js';
import { serverAvailable } from '../support/require-server.js';

const available = await serverAvailable(kamailioServer);

describe.skipIf(!available)('IM routing through Kamailio', () => {
  defineImRoutingScenarios(kamailioServer);
});
