import { describe } from 'vitest';
import { defineCallScenarios } from '../scenarios/calls.js';
import { kamailioServer } from '../support/servers.js';
import { serverAvailable } from '../support/require-server.js';

const available = await serverAvailable(kamailioServer);

describe.skipIf(!available)('escalated calls on Kamailio', () => {
  defineCallScenarios(kamailioServer);
});
